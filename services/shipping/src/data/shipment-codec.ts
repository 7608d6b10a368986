import type { RecordedShipmentEvent } from '../domain/shipping.js';
import { shipmentEventSchema } from '../domain/shipment.js';
import type { OutboxMapping, StoredEvent } from './event-store.js';

/**
 * A stored event read back as a shipment event. The store holds only what `decide` produced,
 * so a row that does not parse is corruption (or a newer writer), and it fails loudly.
 */
export function toRecordedShipmentEvent(stored: StoredEvent): RecordedShipmentEvent {
  const parsed = shipmentEventSchema.safeParse({ type: stored.type, data: stored.data });
  if (!parsed.success) {
    throw new Error(`event ${stored.eventId} (stream ${stored.streamId}, version ${stored.version}) is not a valid shipment event: ${parsed.error.message}`);
  }
  return { ...parsed.data, eventId: stored.eventId, version: stored.version, at: stored.at, position: stored.position };
}

/**
 * The outbox rows of shipment events. Topic `shipment-events` gets `payload` as the record
 * value, keyed by the order id (`aggregateid` = stream id). The payload carries `version`, so a
 * consumer applies each shipment's events in order and drops a redelivered one (version already
 * seen); `eventId` (also the `id` header) identifies it across topics.
 */
export const shipmentOutbox: OutboxMapping = {
  aggregateType: 'shipment',
  payload: (event) => ({
    eventId: event.eventId,
    orderId: event.streamId,
    version: event.version,
    type: event.type,
    at: event.at.toISOString(),
    data: event.data,
  }),
};
