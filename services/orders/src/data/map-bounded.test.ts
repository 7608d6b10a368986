import { describe, expect, it } from 'vitest';
import { mapBounded } from './http-reference-checker.js';

describe('mapBounded', () => {
  it('when work runs, then results keep input order and no more than the limit run at once', async () => {
    let inFlight = 0;
    let peak = 0;
    const results = await mapBounded([5, 1, 4, 2, 3, 0], 3, async (ms) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      return ms * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(3);
  });

  it('when there is nothing to do, then it resolves to []', async () => {
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
  });

  it('when one call fails, then the whole map rejects', async () => {
    await expect(mapBounded([1, 2], 2, async (n) => (n === 2 ? Promise.reject(new Error('boom')) : n))).rejects.toThrow('boom');
  });
});
