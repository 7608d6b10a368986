import type { Backoff, Logger } from '@oms/service-kit';
import { BatchConsumer } from '@oms/service-kit/kafka';
import type { Inventory } from '../domain/inventory-service.js';
import { applyOrderChange, parseOrderChange, type OrderChange } from '../domain/order-changes.js';

/** What the follower counts in its health's `totals`, beside batches and records. */
export const ORDER_FOLLOWER_COUNTERS = ['confirmed', 'released', 'unchanged', 'unknown', 'oversold', 'ignored', 'invalid'] as const;

export interface OrderFollowerOptions {
  brokers: string[];
  /** The inventory's own consumer group. */
  groupId: string;
  /** Debezium's topic of the orders service's `order` table. */
  topic: string;
  inventory: Pick<Inventory, 'confirm' | 'release'>;
  logger: Logger;
  joinTimeoutMs?: number;
  retryBackoff?: Backoff;
  onFatal?: (error: Error) => void;
}

/**
 * Follows the orders through CDC: a row on the `order` topic confirms its order's reservation,
 * a row turned cancelled releases it (service-kit's {@link BatchConsumer}). Each partition's
 * records are applied one by one in offset order — an order's records share a partition, so its
 * confirm comes before its release — and offsets are committed only after Redis applied them.
 * While Redis is down the batch is retried from the first record not yet applied; a redelivery
 * after a crash repeats transitions that are idempotent. A confirm that finds the stock sold
 * (oversold) is logged as an error and counted, never passed over in silence.
 */
export class OrderFollower extends BatchConsumer {
  constructor({ inventory, logger, ...options }: OrderFollowerOptions) {
    const log = logger.child({ component: 'order-follower' });
    super({
      ...options,
      logger,
      clientId: 'inventory-orders',
      what: 'apply order changes to Redis',
      counters: ORDER_FOLLOWER_COUNTERS,
      prepare: ({ partition, messages }, count) => {
        const changes: OrderChange[] = [];
        for (const message of messages) {
          const change = parseOrderChange(message.key, message.value);
          if ('action' in change) changes.push(change);
          else if (change.kind === 'ignore') count('ignored');
          else {
            count('invalid');
            log.warn({ partition, offset: message.offset, reason: change.reason }, 'skipping an order record the inventory cannot read');
          }
        }
        let next = 0;
        return async () => {
          // A retry resumes after the last change Redis applied.
          let unknown = 0;
          for (; next < changes.length; next++) {
            const change = changes[next]!;
            const { outcome, result } = await applyOrderChange(inventory, change);
            count(outcome);
            if (outcome === 'unknown') unknown++;
            if (outcome === 'oversold' && result.outcome === 'short') {
              log.error({ orderId: change.orderId, shortages: result.shortages }, `order ${change.orderId} is oversold: its reservation expired before its row arrived and the stock was sold meanwhile; recorded under the inventory's oversold key`);
            }
          }
          if (unknown > 0) log.info({ partition, orders: unknown }, `${unknown} order(s) without a reservation (placed before orders reserved stock): nothing to confirm`);
        };
      },
    });
  }
}
