import type { Backoff, Logger } from '@oms/service-kit';
import { BatchConsumer } from '@oms/service-kit/kafka';
import { parseOrderRecord, type OrderSeen } from '../domain/order-records.js';
import { followOrder, type FollowOutcome, type ShipmentStore } from '../domain/shipping.js';

/** What the follower counts in its health's `totals`, beside batches and records. */
export const ORDER_FOLLOWER_COUNTERS = ['requested', 'cancelled', 'unchanged', 'not-cancellable', 'ignored', 'invalid'] as const satisfies ReadonlyArray<FollowOutcome | 'ignored' | 'invalid'>;

export interface OrderFollowerOptions {
  brokers: string[];
  /** Shipping's own consumer group. */
  groupId: string;
  /** orders-stream's topic of enriched orders. */
  topic: string;
  store: ShipmentStore;
  logger: Logger;
  joinTimeoutMs?: number;
  retryBackoff?: Backoff;
  onFatal?: (error: Error) => void;
}

/**
 * Requests a shipment for every enriched order on `orders-graph` and cancels it when the order
 * turns cancelled (service-kit's {@link BatchConsumer}). A partition's records are applied one by
 * one in offset order — an order's records share a partition, so its cancel follows its request —
 * and offsets are committed only after the events were written. Redelivery (a crash before the
 * commit, a rebalance, orders-stream writing an order again) is harmless: `ShipmentRequested` is
 * version 1 of the order's stream, so a second one loses the version race and appends nothing.
 */
export class OrderFollower extends BatchConsumer {
  constructor({ store, logger, ...options }: OrderFollowerOptions) {
    const log = logger.child({ component: 'order-follower' });
    super({
      ...options,
      logger,
      clientId: 'shipping-orders',
      what: 'request shipments in PostgreSQL',
      counters: ORDER_FOLLOWER_COUNTERS,
      prepare: ({ partition, messages }, count) => {
        const orders: OrderSeen[] = [];
        for (const message of messages) {
          const seen = parseOrderRecord(message.value);
          if ('orderId' in seen) orders.push(seen);
          else if (seen.kind === 'ignore') count('ignored');
          else {
            count('invalid');
            log.warn({ partition, offset: message.offset, reason: seen.reason }, 'skipping an orders-graph record shipping cannot read');
          }
        }
        let next = 0;
        return async () => {
          // A retry resumes after the last order whose events were written.
          for (; next < orders.length; next++) {
            const order = orders[next]!;
            const outcome = await followOrder(store, order);
            count(outcome);
            if (outcome === 'not-cancellable') log.warn({ orderId: order.orderId }, `order ${order.orderId} was cancelled after its shipment left with the carrier; the shipment stays as it is`);
          }
        };
      },
    });
  }
}
