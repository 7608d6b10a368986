import { describe, expect, it } from 'vitest';
import { cancelOrder, cancellationTime, OrderAlreadyCancelledError } from './cancel-order.js';
import type { Order } from './order.js';
import type { CancelResult, OrderRepository } from './place-order.js';

const ORDER: Order = {
  id: '3eb17d6f-4051-4c83-9dce-3f4a5b6c7d8e',
  customerId: '6f1c1a64-8b39-4f0e-9a53-2f4a2b0a9d10',
  items: [{ sku: 'SKU-1', quantity: 2, addressId: '0b8e4a3c-1d2e-4f50-8a9b-0c1d2e3f4a5b' }],
  status: 'placed',
  cancelledAt: null,
  createdAt: '2025-06-01T12:00:00.000Z',
  updatedAt: '2025-06-01T12:00:00.000Z',
};
const NOW = new Date('2025-06-02T09:30:00.000Z');

/** A fake of our own OrderRepository port that answers `cancel` as told and records the time asked. */
function ordersAnswering(result: CancelResult): OrderRepository & { asked: Date[] } {
  const asked: Date[] = [];
  return {
    asked,
    insert: async () => undefined,
    findById: async () => null,
    listByCustomer: async () => ({ items: [], total: 0 }),
    cancel: async (_id, now) => {
      asked.push(now);
      return result;
    },
  };
}

describe('cancelOrder', () => {
  it('when the order is placed, then it comes back cancelled, cancelled at the time given', async () => {
    const cancelled: Order = { ...ORDER, status: 'cancelled', cancelledAt: NOW.toISOString(), updatedAt: NOW.toISOString() };
    const orders = ordersAnswering({ outcome: 'cancelled', order: cancelled });
    expect(await cancelOrder(ORDER.id, { orders, now: () => NOW })).toEqual(cancelled);
    expect(orders.asked).toEqual([NOW]);
  });

  it('when the order is cancelled already, then 409 saying when', async () => {
    const earlier: Order = { ...ORDER, status: 'cancelled', cancelledAt: '2025-06-01T13:00:00.000Z' };
    const err = await cancelOrder(ORDER.id, { orders: ordersAnswering({ outcome: 'already-cancelled', order: earlier }) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OrderAlreadyCancelledError);
    expect(err).toMatchObject({ status: 409, error: 'conflict', details: { order: ORDER.id, cancelledAt: '2025-06-01T13:00:00.000Z' } });
    expect((err as Error).message).toBe(`order ${ORDER.id} is already cancelled (at 2025-06-01T13:00:00.000Z)`);
  });

  it('when the order does not exist, then 404 naming it', async () => {
    const err = await cancelOrder(ORDER.id, { orders: ordersAnswering({ outcome: 'missing' }) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 404, error: 'not_found', details: { order: ORDER.id } });
  });
});

describe('cancellationTime', () => {
  it('when the clock is past the last change, then it is the clock', () => {
    expect(cancellationTime(NOW, new Date('2025-06-01T12:00:00.000Z'))).toEqual(NOW);
  });

  it('when the last change is in the same millisecond (or the clock went back), then it is 1 ms after the last change', () => {
    const last = new Date('2025-06-02T09:30:00.000Z');
    expect(cancellationTime(NOW, last)).toEqual(new Date('2025-06-02T09:30:00.001Z'));
    expect(cancellationTime(new Date('2025-06-02T09:29:00.000Z'), last)).toEqual(new Date('2025-06-02T09:30:00.001Z'));
  });
});
