import { describe, expect, it } from 'vitest';
import { canonicalLines, OutOfStockError, reserveSchema, restockSchema, stockQuerySchema } from './inventory.js';

describe('canonicalLines', () => {
  it('when a SKU repeats across lines, then its quantities are summed and the lines are sorted by SKU', () => {
    expect(
      canonicalLines([
        { sku: 'SKU-2', quantity: 1 },
        { sku: 'SKU-10', quantity: 2 },
        { sku: 'SKU-2', quantity: 3 },
      ]),
    ).toEqual([
      { sku: 'SKU-10', quantity: 2 },
      { sku: 'SKU-2', quantity: 4 },
    ]);
  });
});

describe('OutOfStockError', () => {
  it('when several SKUs are short, then the message names each with wanted and available and the status is 422', () => {
    const err = new OutOfStockError([
      { sku: 'SKU-00004', wanted: 5, available: 2 },
      { sku: 'SKU-00007', wanted: 1, available: 0 },
    ]);
    expect(err.message).toBe('out of stock: SKU-00004 (wanted 5, available 2); SKU-00007 (wanted 1, available 0)');
    expect(err.status).toBe(422);
    expect(err.details).toEqual({ outOfStock: err.shortages });
  });
});

describe('request schemas', () => {
  it('when onHand is negative, fractional, a string or missing, then the restock body is refused', () => {
    for (const body of [{ onHand: -1 }, { onHand: 1.5 }, { onHand: '3' }, {}, null]) expect(restockSchema.safeParse(body).success).toBe(false);
    expect(restockSchema.parse({ onHand: 0 })).toEqual({ onHand: 0 });
  });

  it('when a reservation has no lines, a zero quantity or a malformed order id, then it is refused', () => {
    const orderId = '0B5E7C7A-5E1B-4D8F-9C7E-6C4B4B0C1E2A';
    expect(reserveSchema.parse({ orderId, lines: [{ sku: ' SKU-1 ', quantity: 1 }] })).toEqual({ orderId: orderId.toLowerCase(), lines: [{ sku: 'SKU-1', quantity: 1 }] });
    expect(reserveSchema.safeParse({ orderId, lines: [] }).success).toBe(false);
    expect(reserveSchema.safeParse({ orderId, lines: [{ sku: 'SKU-1', quantity: 0 }] }).success).toBe(false);
    expect(reserveSchema.safeParse({ orderId: 'order-1', lines: [{ sku: 'SKU-1', quantity: 1 }] }).success).toBe(false);
  });

  it('when the skus query lists SKUs with blanks and repeats, then it is the distinct SKUs in order; an empty list is refused', () => {
    expect(stockQuerySchema.parse({ skus: 'B, A,,B' })).toEqual({ skus: ['B', 'A'] });
    expect(stockQuerySchema.safeParse({ skus: ' , ' }).success).toBe(false);
    expect(stockQuerySchema.safeParse({}).success).toBe(false);
  });
});
