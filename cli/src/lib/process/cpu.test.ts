import { describe, expect, it } from 'vitest';
import { youngestAgeSeconds } from './cpu.js';

describe('youngestAgeSeconds', () => {
  it('when a group leader runs, then its age is how long this process has been up', () => {
    const age = youngestAgeSeconds(new Map([['self', process.pid]]));
    expect(age).toBeDefined();
    // /proc's clock ticks are 10 ms; the two clocks are read moments apart.
    expect(Math.abs(age! - process.uptime())).toBeLessThan(1);
  });

  it('when one leader started long before another, then the younger one counts', () => {
    const age = youngestAgeSeconds(new Map([['init', 1], ['self', process.pid]]));
    expect(age).toBeLessThan(process.uptime() + 1);
  });

  it('when no leader runs, then there is no age', () => {
    expect(youngestAgeSeconds(new Map())).toBeUndefined();
    expect(youngestAgeSeconds(new Map([['gone', 2 ** 22 + 1]]))).toBeUndefined();
  });
});
