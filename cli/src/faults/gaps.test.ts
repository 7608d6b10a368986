import { describe, expect, it } from 'vitest';
import { describeGap, longestGap } from './gaps.js';

describe('longestGap', () => {
  it('when events arrive out of order, then the longest interval between neighbours in time is found', () => {
    expect(longestGap([1000, 5000, 2000, 2500])).toEqual({ ms: 2500, from: 2500, to: 5000 });
  });

  it('when there are fewer than two events, then there is no gap', () => {
    expect(longestGap([42])).toEqual({ ms: 0 });
    expect(longestGap([])).toEqual({ ms: 0 });
  });
});

describe('describeGap', () => {
  it('when a gap is given, then it is told in seconds relative to the start of the run', () => {
    expect(describeGap({ ms: 3200, from: 10_100, to: 13_300 }, 0)).toBe('3.2 s (t+10.1 → t+13.3 s)');
  });

  it('when there was no gap to measure, then it says so', () => {
    expect(describeGap({ ms: 0 }, 0)).toBe('none (fewer than two events)');
  });
});
