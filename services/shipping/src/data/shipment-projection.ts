import type pg from 'pg';
import {
  extendStream,
  summarize,
  type ProjectionDifference,
  type ReplayReport,
  type ShipmentListQuery,
  type ShipmentStream,
  type ShipmentSummary,
} from '../domain/shipping.js';
import { shipmentStatusSchema } from '../domain/shipment.js';
import { readEventsInStreamOrder, type StreamCursor } from './event-store.js';
import { withTransaction, type Queryable } from './transaction.js';
import { toRecordedShipmentEvent } from './shipment-codec.js';

interface ShipmentRow {
  order_id: string;
  status: string;
  carrier: string | null;
  tracking_number: string | null;
  version: number;
  updated_at: Date;
}

const SHIPMENT_COLUMNS = 'order_id, status, carrier, tracking_number, version, updated_at';

const toSummary = (row: ShipmentRow): ShipmentSummary => ({
  orderId: row.order_id,
  status: shipmentStatusSchema.parse(row.status),
  carrier: row.carrier,
  trackingNumber: row.tracking_number,
  version: row.version,
  updatedAt: row.updated_at,
});

/**
 * Writes projection rows. A row only ever moves forward (`version` grows): appends to one stream
 * are serialized by its version constraint, and the guard keeps that true even if a rebuild and
 * an append ever interleave.
 */
export async function upsertShipmentRows(db: Queryable, rows: readonly ShipmentSummary[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO shipments (${SHIPMENT_COLUMNS})
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::timestamptz[])
     ON CONFLICT (order_id) DO UPDATE SET
       status = EXCLUDED.status, carrier = EXCLUDED.carrier, tracking_number = EXCLUDED.tracking_number,
       version = EXCLUDED.version, updated_at = EXCLUDED.updated_at
     WHERE shipments.version < EXCLUDED.version`,
    [
      rows.map((r) => r.orderId),
      rows.map((r) => r.status),
      rows.map((r) => r.carrier),
      rows.map((r) => r.trackingNumber),
      rows.map((r) => r.version),
      rows.map((r) => r.updatedAt),
    ],
  );
}

/** A page of the projection, most recently changed first, and how many rows match. */
export async function listShipments(db: Queryable, query: ShipmentListQuery): Promise<{ items: ShipmentSummary[]; total: number }> {
  const status = query.status ?? null;
  const [page, count] = await Promise.all([
    db.query<ShipmentRow>(
      `SELECT ${SHIPMENT_COLUMNS} FROM shipments WHERE ($1::text IS NULL OR status = $1)
       ORDER BY updated_at DESC, order_id LIMIT $2 OFFSET $3`,
      [status, query.limit, query.offset],
    ),
    db.query<{ total: number }>('SELECT count(*)::int AS total FROM shipments WHERE ($1::text IS NULL OR status = $1)', [status]),
  ]);
  return { items: page.rows.map(toSummary), total: count.rows[0]?.total ?? 0 };
}

export interface ReplayOptions {
  /** Events read, and rows written, per round trip. */
  batchSize?: number;
  /** How many differences the report lists (all are counted). */
  maxDifferences?: number;
}

/**
 * Rebuilds the shipments projection from the event store and compares the result with the live
 * projection it replaces. One transaction: the live rows are copied aside, the table emptied,
 * every stream folded (the same `evolve` the live path uses) and written back, then both sides
 * compared. Readers keep seeing the old rows until the commit. The EXCLUSIVE lock holds back
 * appends (they write the projection in their own transaction, so none can commit meanwhile):
 * the events read and the live rows copied describe the same moment.
 *
 * The rebuilt rows are kept even when they differ: the events are the truth.
 */
export async function replayShipmentProjection(pool: pg.Pool, { batchSize = 1000, maxDifferences = 20 }: ReplayOptions = {}): Promise<ReplayReport> {
  const started = Date.now();
  const { streams, events, differenceCount, differences } = await withTransaction(pool, async (tx) => {
    await tx.query('LOCK TABLE shipments IN EXCLUSIVE MODE');
    await tx.query('CREATE TEMP TABLE shipments_live ON COMMIT DROP AS SELECT * FROM shipments');
    await tx.query('DELETE FROM shipments');
    return { ...(await rebuild(tx, batchSize)), ...(await compareWithLive(tx, maxDifferences)) };
  });
  return { streams, events, equal: differenceCount === 0, differenceCount, differences, durationMs: Date.now() - started };
}

/** Folds every stream in (stream, version) order, writing a row whenever a stream is complete. */
async function rebuild(tx: pg.PoolClient, batchSize: number): Promise<{ streams: number; events: number }> {
  let cursor: StreamCursor | null = null;
  let current: ShipmentStream | null = null;
  let pending: ShipmentSummary[] = [];
  let streams = 0;
  let events = 0;
  const finishStream = async (stream: ShipmentStream | null, force = false) => {
    const row = stream && summarize(stream);
    if (row) pending.push(row);
    if (pending.length >= batchSize || (force && pending.length > 0)) {
      await upsertShipmentRows(tx, pending);
      pending = [];
    }
  };
  for (;;) {
    const batch = await readEventsInStreamOrder(tx, cursor, batchSize);
    for (const stored of batch) {
      if (current?.orderId !== stored.streamId) {
        await finishStream(current);
        current = { orderId: stored.streamId, version: 0, state: null, events: [] };
        streams += 1;
      }
      current = extendStream(current, [toRecordedShipmentEvent(stored)]);
      events += 1;
    }
    const last = batch.at(-1);
    if (!last || batch.length < batchSize) break;
    cursor = { streamId: last.streamId, version: last.version };
  }
  await finishStream(current, true);
  return { streams, events };
}

async function compareWithLive(tx: pg.PoolClient, maxDifferences: number): Promise<{ differenceCount: number; differences: ProjectionDifference[] }> {
  const { rows } = await tx.query<{ order_id: string; live: ShipmentRow | null; rebuilt: ShipmentRow | null; total: number }>(
    `SELECT order_id,
            CASE WHEN l.order_id IS NULL THEN NULL ELSE to_jsonb(l) END AS live,
            CASE WHEN r.order_id IS NULL THEN NULL ELSE to_jsonb(r) END AS rebuilt,
            count(*) OVER ()::int AS total
       FROM shipments_live l FULL OUTER JOIN shipments r USING (order_id)
      WHERE l.order_id IS NULL OR r.order_id IS NULL
         OR (l.status, l.carrier, l.tracking_number, l.version, l.updated_at)
            IS DISTINCT FROM (r.status, r.carrier, r.tracking_number, r.version, r.updated_at)
      ORDER BY order_id
      LIMIT $1`,
    [maxDifferences],
  );
  // to_jsonb renders timestamps as strings.
  const fromJson = (row: ShipmentRow | null) => (row ? toSummary({ ...row, updated_at: new Date(row.updated_at) }) : null);
  return {
    differenceCount: rows[0]?.total ?? 0,
    differences: rows.map((r) => ({ orderId: r.order_id, live: fromJson(r.live), rebuilt: fromJson(r.rebuilt) })),
  };
}
