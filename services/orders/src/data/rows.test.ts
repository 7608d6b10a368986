import { describe, expect, it } from 'vitest';
import type { Order } from '../domain/order.js';
import { ORDER_COLUMNS, ORDER_DETAIL_COLUMNS, orderDetailValues, orderValues, toOrder, type OrderDetailRow, type OrderRow } from './rows.js';

const order: Order = {
  id: 'order-1',
  customerId: 'customer-1',
  items: [
    { sku: 'A', quantity: 2, addressId: 'addr-1' },
    { sku: 'B', quantity: 1, addressId: 'addr-2' },
  ],
  createdAt: '2025-06-01T12:00:00.123Z',
  updatedAt: '2025-06-01T12:00:00.123Z',
};

describe('orderValues', () => {
  it('when an order is written, then line_count is its number of lines', () => {
    const values = orderValues(order);
    expect(Object.fromEntries(ORDER_COLUMNS.map((column, i) => [column, values[i]]))).toEqual({
      id: 'order-1',
      customer_id: 'customer-1',
      line_count: 2,
      created_at: new Date(order.createdAt),
      updated_at: new Date(order.updatedAt),
    });
  });
});

describe('orderDetailValues', () => {
  it('when lines are written, then each gets its own id and line_no counts from 1', () => {
    let n = 0;
    const rows = orderDetailValues(order, () => `detail-${++n}`);
    expect(rows.map((values) => Object.fromEntries(ORDER_DETAIL_COLUMNS.map((column, i) => [column, values[i]])))).toEqual([
      { id: 'detail-1', order_id: 'order-1', line_no: 1, sku: 'A', quantity: 2, address_id: 'addr-1' },
      { id: 'detail-2', order_id: 'order-1', line_no: 2, sku: 'B', quantity: 1, address_id: 'addr-2' },
    ]);
  });
});

describe('toOrder', () => {
  it('when detail rows arrive out of order, then items follow line_no', () => {
    const row: OrderRow = { id: 'order-1', customer_id: 'customer-1', line_count: 2, created_at: new Date(order.createdAt), updated_at: new Date(order.updatedAt) };
    const details: OrderDetailRow[] = [
      { id: 'd2', order_id: 'order-1', line_no: 2, sku: 'B', quantity: 1, address_id: 'addr-2' },
      { id: 'd1', order_id: 'order-1', line_no: 1, sku: 'A', quantity: 2, address_id: 'addr-1' },
    ];
    expect(toOrder(row, details)).toEqual(order);
  });

  it('when rows round-trip through the writers, then the order is unchanged', () => {
    const values = orderValues(order);
    const row = Object.fromEntries(ORDER_COLUMNS.map((column, i) => [column, values[i]])) as unknown as OrderRow;
    const details = orderDetailValues(order, () => 'x').map(
      (detail) => Object.fromEntries(ORDER_DETAIL_COLUMNS.map((column, i) => [column, detail[i]])) as unknown as OrderDetailRow,
    );
    expect(toOrder(row, details)).toEqual(order);
  });
});
