import { ConflictError, NotFoundError } from '@oms/service-kit';
import type { Order } from './order.js';
import type { OrderRepository } from './place-order.js';

/** The order was cancelled already: a 409 saying when. */
export class OrderAlreadyCancelledError extends ConflictError {
  constructor(readonly order: Order) {
    super(`order ${order.id} is already cancelled (at ${order.cancelledAt ?? 'an unknown time'})`, { order: order.id, cancelledAt: order.cancelledAt });
    this.name = 'OrderAlreadyCancelledError';
  }
}

export interface CancelOrderDeps {
  orders: OrderRepository;
  now?: () => Date;
}

/**
 * Cancels an order: 404 when unknown, 409 when cancelled already. The order and its lines are
 * rewritten in one transaction; the stock goes back when the inventory sees the change through
 * CDC, not through a call from here (docs/architecture.md, "The path of one order").
 */
export async function cancelOrder(id: string, { orders, now = () => new Date() }: CancelOrderDeps): Promise<Order> {
  const result = await orders.cancel(id, now());
  if (result.outcome === 'missing') throw new NotFoundError('order', id);
  if (result.outcome === 'already-cancelled') throw new OrderAlreadyCancelledError(result.order);
  return result.order;
}

/**
 * When a change of an order made at `now` is recorded: `now`, but always at least 1 ms after
 * the order's last change. Every change rewrites the order's rows with this time as
 * `updated_at`, and orders-stream tells a new version of an order from a redelivered one by it,
 * so two changes within one millisecond (DATETIME(3)) must still differ.
 */
export function cancellationTime(now: Date, lastChange: Date): Date {
  return new Date(Math.max(now.getTime(), lastChange.getTime() + 1));
}
