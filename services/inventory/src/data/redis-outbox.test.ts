import { describe, expect, it } from 'vitest';
import { nextStreamId } from './redis-outbox.js';

describe('nextStreamId', () => {
  it('when given a stream id, then it is the same millisecond with the next sequence number, exact past 2^53', () => {
    expect(nextStreamId('1700000000000-0')).toBe('1700000000000-1');
    expect(nextStreamId('1700000000000-9007199254740993')).toBe('1700000000000-9007199254740994');
  });

  it('when given something else, then it throws rather than trimming the wrong entries', () => {
    expect(() => nextStreamId('*')).toThrow('not a stream id');
  });
});
