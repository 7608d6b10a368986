import { describe, expect, it } from 'vitest';
import { listOrdersQuerySchema, placeOrderSchema } from './order.js';

const customerId = '6f1c1a64-8b39-4f0e-9a53-2f4a2b0a9d10';
const addressId = '0b8e4a3c-1d2e-4f50-8a9b-0c1d2e3f4a5b';
const item = { sku: 'SKU-1', quantity: 2, addressId };

const paths = (input: unknown) =>
  placeOrderSchema
    .safeParse(input)
    .error?.issues.map((issue) => issue.path.join('.'))
    .sort();

describe('placeOrderSchema', () => {
  it('when the order is valid, then it parses with ids lower-cased and SKUs trimmed', () => {
    const parsed = placeOrderSchema.parse({ customerId: customerId.toUpperCase(), items: [{ ...item, sku: ' SKU-1 ', addressId: addressId.toUpperCase() }] });
    expect(parsed).toEqual({ customerId, items: [item] });
  });

  it('when there are no items or more than 100, then items is reported', () => {
    expect(paths({ customerId, items: [] })).toEqual(['items']);
    expect(paths({ customerId, items: Array.from({ length: 101 }, () => item) })).toEqual(['items']);
    expect(placeOrderSchema.safeParse({ customerId, items: Array.from({ length: 100 }, () => item) }).success).toBe(true);
  });

  it('when quantities are zero, fractional or beyond INT, then each line is reported', () => {
    const items = [
      { ...item, quantity: 0 },
      { ...item, quantity: 1.5 },
      { ...item, quantity: 2 ** 31 },
    ];
    expect(paths({ customerId, items })).toEqual(['items.0.quantity', 'items.1.quantity', 'items.2.quantity']);
  });

  it('when every field is wrong, then every field is reported', () => {
    expect(paths({ customerId: 'nope', items: [{ sku: '', quantity: '1', addressId: 'x' }] })).toEqual([
      'customerId',
      'items.0.addressId',
      'items.0.quantity',
      'items.0.sku',
    ]);
  });

  it('when a SKU is longer than its column, then it is rejected', () => {
    expect(paths({ customerId, items: [{ ...item, sku: 'S'.repeat(101) }] })).toEqual(['items.0.sku']);
  });
});

describe('listOrdersQuerySchema', () => {
  it('when customerId is missing or malformed, then it is reported', () => {
    expect(listOrdersQuerySchema.safeParse({}).error?.issues[0]?.path).toEqual(['customerId']);
    expect(listOrdersQuerySchema.safeParse({ customerId: '42' }).success).toBe(false);
  });

  it('when only customerId is given, then limit 20 and offset 0 apply', () => {
    expect(listOrdersQuerySchema.parse({ customerId })).toEqual({ customerId, limit: 20, offset: 0 });
  });
});
