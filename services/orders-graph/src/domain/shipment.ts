import { z } from 'zod';

/**
 * Shipments in the read model. Shipping publishes every event of a shipment on topic
 * `shipment-events` (its outbox, through Debezium); orders-graph keeps them by (order id,
 * version) in table `shipment_events` and folds them here when an order is read, so a
 * redelivered event or one that arrives out of order changes nothing.
 */

/** A record value of `shipment-events`: the outbox payload shipping writes (services/shipping, shipment-codec.ts). */
export const shipmentEventRecordSchema = z.object({
  eventId: z.uuid(),
  orderId: z.string().min(1),
  version: z.number().int().positive(),
  type: z.string().min(1),
  at: z.iso.datetime(),
  data: z.record(z.string(), z.unknown()),
});
export type ShipmentEventRecord = z.infer<typeof shipmentEventRecordSchema>;

/** GraphQL `ShipmentEvent`: one entry of a shipment's history. */
export const shipmentEventSchema = z.object({
  version: z.number().int(),
  type: z.string(),
  /** ISO 8601, UTC. */
  at: z.string(),
});
export type ShipmentEvent = z.infer<typeof shipmentEventSchema>;

/** GraphQL `Shipment`. */
export const shipmentSchema = z.object({
  /** requested, packed, dispatched, delivered or cancelled. */
  status: z.string(),
  carrier: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  /** The version of the last event seen. */
  version: z.number().int(),
  history: z.array(shipmentEventSchema),
});
export type Shipment = z.infer<typeof shipmentSchema>;

/** The status each event type leaves a shipment in. */
const STATUS_AFTER: Record<string, string> = {
  ShipmentRequested: 'requested',
  Packed: 'packed',
  Dispatched: 'dispatched',
  Delivered: 'delivered',
  Cancelled: 'cancelled',
};

/** A stored event as the order query returns it (`json_agg` of table `shipment_events`). */
export interface StoredShipmentEvent {
  version: number;
  type: string;
  at: string;
  data: Record<string, unknown> | null;
}

/**
 * Folds an order's stored events into its shipment; `null` without events. Pure. The events
 * may come in any order and a version may be missing for a moment (an event still on its way):
 * the status is the newest event's, the carrier and tracking number the dispatch's.
 */
export function toShipment(events: readonly StoredShipmentEvent[]): Shipment | null {
  if (events.length === 0) return null;
  const sorted = [...events].sort((a, b) => a.version - b.version);
  const last = sorted.at(-1)!;
  const dispatched = sorted.find((e) => e.type === 'Dispatched')?.data ?? {};
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    status: STATUS_AFTER[last.type] ?? 'unknown',
    carrier: text(dispatched.carrier),
    trackingNumber: text(dispatched.trackingNumber),
    version: last.version,
    history: sorted.map((e) => ({ version: e.version, type: e.type, at: new Date(e.at).toISOString() })),
  };
}
