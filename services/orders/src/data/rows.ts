import type { Order, OrderStatus } from '../domain/order.js';

/** An `order` row as mysql2 returns it. */
export interface OrderRow {
  id: string;
  customer_id: string;
  line_count: number;
  status: OrderStatus;
  cancelled_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

/** An `order_detail` row as mysql2 returns it. */
export interface OrderDetailRow {
  id: string;
  order_id: string;
  line_no: number;
  sku: string;
  quantity: number;
  address_id: string;
  /** The order's `updated_at` when this line was last written; null on lines written before it existed. */
  updated_at: Date | null;
}

/** Column order of {@link orderValues}. */
export const ORDER_COLUMNS = ['id', 'customer_id', 'line_count', 'status', 'cancelled_at', 'created_at', 'updated_at'] as const;
/** Column order of {@link orderDetailValues}. */
export const ORDER_DETAIL_COLUMNS = ['id', 'order_id', 'line_no', 'sku', 'quantity', 'address_id', 'updated_at'] as const;

/** Maps an order row and its detail rows to the API resource, lines in `line_no` order. */
export function toOrder(row: OrderRow, details: readonly OrderDetailRow[]): Order {
  return {
    id: row.id,
    customerId: row.customer_id,
    items: [...details].sort((a, b) => a.line_no - b.line_no).map((d) => ({ sku: d.sku, quantity: d.quantity, addressId: d.address_id })),
    status: row.status,
    cancelledAt: row.cancelled_at ? row.cancelled_at.toISOString() : null,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

/** Parameter values for the `order` INSERT; `line_count` is the number of detail rows that follow. */
export function orderValues(order: Order): unknown[] {
  return [order.id, order.customerId, order.items.length, order.status, order.cancelledAt === null ? null : new Date(order.cancelledAt), new Date(order.createdAt), new Date(order.updatedAt)];
}

/**
 * One parameter row per line for the `order_detail` INSERT; `line_no` counts from 1. Each line
 * carries the order's `updated_at`: orders-stream takes the lines of one version of an order
 * together by it (see `OrderRepository.cancel`).
 */
export function orderDetailValues(order: Order, newId: () => string): unknown[][] {
  return order.items.map((item, index) => [newId(), order.id, index + 1, item.sku, item.quantity, item.addressId, new Date(order.updatedAt)]);
}
