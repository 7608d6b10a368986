import { issuesText, type Backoff, type Logger } from '@oms/service-kit';
import { BatchConsumer } from '@oms/service-kit/kafka';
import type { Pool } from 'pg';
import { storeShipmentEvents } from '../data/shipment-events.js';
import { shipmentEventRecordSchema, type ShipmentEventRecord } from '../domain/shipment.js';

/** What the follower counts in its health's `totals`, beside batches and records. */
export const SHIPMENT_FOLLOWER_COUNTERS = ['stored', 'duplicates', 'invalid'] as const;

export interface ShipmentFollowerOptions {
  brokers: string[];
  /** orders-graph's own consumer group. */
  groupId: string;
  /** Shipping's outbox topic. */
  topic: string;
  pool: Pool;
  logger: Logger;
  joinTimeoutMs?: number;
  retryBackoff?: Backoff;
  onFatal?: (error: Error) => void;
}

/** Reads one record value of `shipment-events`; `undefined` with a reason when it is not an event. */
export function parseShipmentEvent(value: Buffer | null): { event: ShipmentEventRecord } | { reason: string } {
  if (value === null || value.length === 0) return { reason: 'empty value' };
  try {
    const parsed = shipmentEventRecordSchema.safeParse(JSON.parse(value.toString()));
    return parsed.success ? { event: parsed.data } : { reason: `not a shipment event: ${issuesText(parsed.error)}` };
  } catch {
    return { reason: 'value is not JSON' };
  }
}

/**
 * Brings shipping's events into the read model (service-kit's {@link BatchConsumer}): each batch
 * is one insert into `shipment_events`, committed to Kafka only after PostgreSQL took it. The
 * table's key (order id, version) absorbs duplicates — Debezium publishes at least once, and a
 * crash before the commit redelivers — so `duplicates` counts them instead of the read model
 * showing them.
 */
export class ShipmentFollower extends BatchConsumer {
  constructor({ pool, logger, ...options }: ShipmentFollowerOptions) {
    const log = logger.child({ component: 'shipment-follower' });
    super({
      ...options,
      logger,
      clientId: 'orders-graph-shipments',
      what: 'store shipment events in PostgreSQL',
      counters: SHIPMENT_FOLLOWER_COUNTERS,
      prepare: ({ partition, messages }, count) => {
        const events: ShipmentEventRecord[] = [];
        for (const message of messages) {
          const parsed = parseShipmentEvent(message.value);
          if ('event' in parsed) events.push(parsed.event);
          else {
            count('invalid');
            log.warn({ partition, offset: message.offset, reason: parsed.reason }, 'skipping a shipment-events record orders-graph cannot read');
          }
        }
        return async () => {
          const stored = await storeShipmentEvents(pool, events);
          count('stored', stored);
          count('duplicates', events.length - stored);
        };
      },
    });
  }
}
