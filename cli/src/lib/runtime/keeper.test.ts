import { describe, expect, it } from 'vitest';
import { afterExit, keeperLimits } from './keeper.js';

const limits = keeperLimits({});

describe('the keeper backoff', () => {
  it('when no option is given, then the defaults are 2 s polls, 1 s first delay up to 30 s, and 5 exits within 60 s for a crash loop', () => {
    expect(limits).toEqual({ intervalMs: 2000, minDelayMs: 1000, maxDelayMs: 30_000, crashLoopExits: 5, windowMs: 60_000, healEveryMs: 30_000 });
  });

  it('when a component exits for the first time, then it is restarted after the first delay', () => {
    expect(afterExit([], 100_000, limits)).toEqual({ exits: [100_000], crashloop: false, delayMs: 1000 });
  });

  it('when exits pile up within the window, then the delay doubles and the fifth is a crash loop; older exits no longer count', () => {
    expect(afterExit([1000, 2000], 3000, limits)).toEqual({ exits: [1000, 2000, 3000], crashloop: false, delayMs: 4000 });
    expect(afterExit([1000, 2000, 3000, 4000], 5000, limits).crashloop).toBe(true);
    expect(afterExit([1000, 2000, 3000, 4000], 61_500, limits)).toEqual({ exits: [2000, 3000, 4000, 61_500], crashloop: false, delayMs: 8000 });
  });

  it('when the doubled delay passes the longest one, then the longest is used', () => {
    expect(afterExit([1, 2, 3, 4, 5, 6], 7, { ...limits, crashLoopExits: 100 }).delayMs).toBe(30_000);
  });
});
