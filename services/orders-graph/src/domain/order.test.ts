import { describe, expect, it } from 'vitest';
import { toOrder, type OrderRow } from './order.js';
import { address } from '../test-support/fixtures.js';

const row = (over: Partial<OrderRow> = {}): OrderRow => ({
  id: 'o-1',
  customer_id: 'c-1',
  customer_name: 'Ada Lovelace',
  customer_email: 'ada@example.com',
  customer: { id: 'c-1', name: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', active: true },
  items: [{ sku: 'SKU-1', description: 'Pan', unitPrice: 10.5, quantity: 2, lineTotal: 21, deliveryAddress: address }],
  total: '21.00',
  status: 'placed',
  cancelled_at: null,
  created_at: new Date('2024-03-01T10:00:00.000Z'),
  updated_at: new Date('2024-03-01T10:05:00.000Z'),
  ...over,
});

describe('toOrder', () => {
  it('when the row is complete, then every GraphQL field is filled and extras are dropped', () => {
    expect(toOrder(row())).toEqual({
      id: 'o-1',
      customer: { id: 'c-1', name: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
      items: [{ sku: 'SKU-1', description: 'Pan', unitPrice: 10.5, quantity: 2, lineTotal: 21, deliveryAddress: address }],
      total: 21,
      status: 'placed',
      cancelledAt: null,
      createdAt: '2024-03-01T10:00:00.000Z',
      updatedAt: '2024-03-01T10:05:00.000Z',
      shipment: null,
    });
  });

  it('when the row is a cancelled order, then status and cancelledAt say so; a row without a status is placed', () => {
    expect(toOrder(row({ status: 'cancelled', cancelled_at: new Date('2024-03-02T08:00:00.000Z') }))).toMatchObject({ status: 'cancelled', cancelledAt: '2024-03-02T08:00:00.000Z' });
    expect(toOrder(row({ status: null }))).toMatchObject({ status: 'placed', cancelledAt: null });
  });

  it('when JSON columns arrive as strings, then they are parsed', () => {
    const order = toOrder(row({ customer: JSON.stringify({ id: 'c-9', name: 'X' }), items: JSON.stringify([{ sku: 'S', quantity: 1 }]) }));
    expect(order.customer?.id).toBe('c-9');
    expect(order.items.map((i) => i.sku)).toEqual(['S']);
  });

  it('when the customer JSON is missing, then the flat customer columns are used', () => {
    expect(toOrder(row({ customer: null })).customer).toEqual({ id: 'c-1', name: 'Ada Lovelace', lastName: null, email: 'ada@example.com' });
  });

  it('when there is no customer at all, then customer is null', () => {
    expect(toOrder(row({ customer: null, customer_id: null })).customer).toBeNull();
  });

  it('when item keys are snake_case and numbers are strings, then they are still mapped', () => {
    const items = [{ sku: 'S', unit_price: '2.50', quantity: '3', line_total: '7.50', delivery_address: { street_name: 'Elm', street_number: 7, latitude: '1.5' } }];
    const [item] = toOrder(row({ items })).items;
    expect(item).toMatchObject({ unitPrice: 2.5, quantity: 3, lineTotal: 7.5 });
    expect(item?.deliveryAddress).toMatchObject({ streetName: 'Elm', streetNumber: '7', latitude: 1.5, longitude: null });
  });

  it('when lineTotal is missing, then it is unit price times quantity', () => {
    const [item] = toOrder(row({ items: [{ sku: 'S', unitPrice: 0.1, quantity: 3 }] })).items;
    expect(item?.lineTotal).toBe(0.3);
    expect(item?.deliveryAddress).toBeNull();
  });

  it('when total is null, then it is the sum of the line totals', () => {
    const items = [{ sku: 'A', lineTotal: 1.1, quantity: 1 }, { sku: 'B', lineTotal: 2.2, quantity: 1 }];
    expect(toOrder(row({ total: null, items })).total).toBe(3.3);
  });

  it('when items are not an array or contain junk, then only object items are kept', () => {
    expect(toOrder(row({ items: 'not json' })).items).toEqual([]);
    expect(toOrder(row({ items: [null, 3, { sku: 'OK', quantity: 1 }] })).items.map((i) => i.sku)).toEqual(['OK']);
  });

  it('when timestamps are strings or invalid, then they become ISO strings or null', () => {
    const order = toOrder(row({ created_at: '2024-03-01T12:00:00+02:00', updated_at: 'garbage' }));
    expect(order.createdAt).toBe('2024-03-01T10:00:00.000Z');
    expect(order.updatedAt).toBeNull();
  });
});
