import { describe, expect, it } from 'vitest';
import { newClusterId } from './kafka.js';

describe('newClusterId', () => {
  it('when the random bytes would encode to an id starting with "-", then it draws again', () => {
    // 0xf8 encodes to "-" as the first base64url character; the second draw is all zeros.
    const draws = [Buffer.alloc(16, 0xf8), Buffer.alloc(16, 0)];
    const id = newClusterId(() => draws.shift()!);
    expect(id).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(draws).toHaveLength(0);
  });

  it('when called many times, then no id starts with "-" and each is 22 base64url characters', () => {
    for (let i = 0; i < 2000; i++) expect(newClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });
});
