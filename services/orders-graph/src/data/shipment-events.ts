import type { Pool } from 'pg';
import type { ShipmentEventRecord } from '../domain/shipment.js';

/**
 * Stores shipment events in table `shipment_events`. Idempotent by (order id, version): a
 * redelivered event, or a copy Debezium publishes again after a crash, inserts nothing. Answers
 * how many rows were new.
 */
export async function storeShipmentEvents(pool: Pool, events: readonly ShipmentEventRecord[]): Promise<number> {
  if (events.length === 0) return 0;
  const { rowCount } = await pool.query(
    `INSERT INTO shipment_events (order_id, version, event_id, type, data, occurred_at)
     SELECT * FROM unnest($1::text[], $2::int[], $3::uuid[], $4::text[], $5::jsonb[], $6::timestamptz[])
     ON CONFLICT (order_id, version) DO NOTHING`,
    [
      events.map((e) => e.orderId.toLowerCase()),
      events.map((e) => e.version),
      events.map((e) => e.eventId),
      events.map((e) => e.type),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => e.at),
    ],
  );
  return rowCount ?? 0;
}
