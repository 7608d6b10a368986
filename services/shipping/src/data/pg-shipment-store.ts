import type pg from 'pg';
import { extendStream, summarize, type ShipmentListQuery, type ShipmentStore, type ShipmentStream } from '../domain/shipping.js';
import type { ShipmentEvent } from '../domain/shipment.js';
import { PgEventStore } from './event-store.js';
import { shipmentOutbox, toRecordedShipmentEvent } from './shipment-codec.js';
import { listShipments, replayShipmentProjection, upsertShipmentRows } from './shipment-projection.js';

/**
 * {@link ShipmentStore} on PostgreSQL: one stream per order in the event store, its outbox rows
 * and its projection row written in the same transaction as the events (an inline projection:
 * `GET /shipments` is never behind a command that answered).
 */
export class PgShipmentStore implements ShipmentStore {
  private readonly events: PgEventStore;

  constructor(
    private readonly pool: pg.Pool,
    options: { newId?: () => string } = {},
  ) {
    this.events = new PgEventStore(pool, shipmentOutbox, options);
  }

  async load(orderId: string): Promise<ShipmentStream> {
    const { events } = await this.events.readStream(orderId);
    return extendStream({ orderId, version: 0, state: null, events: [] }, events.map(toRecordedShipmentEvent));
  }

  async append(stream: ShipmentStream, events: ShipmentEvent[]): Promise<ShipmentStream> {
    let next = stream;
    await this.events.append(stream.orderId, stream.version, events, async (tx, stored) => {
      // The append succeeds only if nothing came after `stream`, so its state plus the new
      // events is the state of the whole stream.
      next = extendStream(stream, stored.map(toRecordedShipmentEvent));
      const row = summarize(next);
      if (row) await upsertShipmentRows(tx, [row]);
    });
    return next;
  }

  list(query: ShipmentListQuery) {
    return listShipments(this.pool, query);
  }

  replayProjection() {
    return replayShipmentProjection(this.pool);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
}
