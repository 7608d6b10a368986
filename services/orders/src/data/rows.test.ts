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
  status: 'placed',
  cancelledAt: null,
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
      status: 'placed',
      cancelled_at: null,
      created_at: new Date(order.createdAt),
      updated_at: new Date(order.updatedAt),
    });
  });
});

describe('orderDetailValues', () => {
  it('when lines are written, then each gets its own id, line_no counts from 1, and each carries the order\'s updated_at', () => {
    let n = 0;
    const rows = orderDetailValues(order, () => `detail-${++n}`);
    const updated_at = new Date(order.updatedAt);
    expect(rows.map((values) => Object.fromEntries(ORDER_DETAIL_COLUMNS.map((column, i) => [column, values[i]])))).toEqual([
      { id: 'detail-1', order_id: 'order-1', line_no: 1, sku: 'A', quantity: 2, address_id: 'addr-1', updated_at },
      { id: 'detail-2', order_id: 'order-1', line_no: 2, sku: 'B', quantity: 1, address_id: 'addr-2', updated_at },
    ]);
  });

  it('when a cancelled order is written, then status and cancelled_at say so', () => {
    const cancelled = { ...order, status: 'cancelled' as const, cancelledAt: '2025-06-02T08:00:00.000Z', updatedAt: '2025-06-02T08:00:00.000Z' };
    const values = orderValues(cancelled);
    expect(values[ORDER_COLUMNS.indexOf('status')]).toBe('cancelled');
    expect(values[ORDER_COLUMNS.indexOf('cancelled_at')]).toEqual(new Date('2025-06-02T08:00:00.000Z'));
  });
});

describe('toOrder', () => {
  it('when detail rows arrive out of order, then items follow line_no', () => {
    const row: OrderRow = { id: 'order-1', customer_id: 'customer-1', line_count: 2, status: 'placed', cancelled_at: null, created_at: new Date(order.createdAt), updated_at: new Date(order.updatedAt) };
    const details: OrderDetailRow[] = [
      { id: 'd2', order_id: 'order-1', line_no: 2, sku: 'B', quantity: 1, address_id: 'addr-2', updated_at: null },
      { id: 'd1', order_id: 'order-1', line_no: 1, sku: 'A', quantity: 2, address_id: 'addr-1', updated_at: null },
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
