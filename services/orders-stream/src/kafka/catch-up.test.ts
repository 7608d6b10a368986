import { describe, expect, it } from 'vitest';
import { CatchUp } from './catch-up.js';

describe('CatchUp', () => {
  it('when every partition is empty, then it is done at once', () => {
    expect(new CatchUp({ customer: [{ partition: 0, low: 0, high: 0 }], products: [{ partition: 1, low: 7, high: 7 }] }).done).toBe(true);
  });

  it('when partitions have records, then it is done once each reached its end offset', () => {
    const c = new CatchUp({ customer: [{ partition: 0, low: 0, high: 3 }, { partition: 1, low: 2, high: 5 }] });
    c.advance('customer', 0, 3);
    expect(c.done).toBe(false);
    expect(c.describe()).toBe('customer/1 at 2 of 5');
    c.advance('customer', 1, 4);
    expect(c.describe()).toBe('customer/1 at 4 of 5');
    c.advance('customer', 1, 5);
    expect(c.done).toBe(true);
  });
});
