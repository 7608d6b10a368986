import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VersionConflictError } from '../domain/errors.js';
import { freshDatabase } from '../test-support/database.js';
import { ensureDatabase, migrate, type PgConnection } from './database.js';
import { PgEventStore, readEventsInStreamOrder, type StoredEvent } from './event-store.js';
import { shipmentOutbox } from './shipment-codec.js';
import { caught, waitFor } from '../test-support/async.js';

let pool: pg.Pool;
let conn: PgConnection;
let store: PgEventStore;
let streamCounter = 0;
/** A stream id no other test uses. */
const newStream = (label: string) => `${label}-${++streamCounter}`;

beforeAll(async () => {
  ({ pool, conn } = await freshDatabase('shipping_test_event_store', 20));
  store = new PgEventStore(pool, shipmentOutbox);
});

afterAll(async () => {
  await pool?.end();
});

async function rowsOf(streamId: string) {
  const events = await pool.query('SELECT version, type FROM events WHERE stream_id = $1 ORDER BY version', [streamId]);
  const outbox = await pool.query('SELECT id, aggregatetype, aggregateid, type, payload FROM outbox WHERE aggregateid = $1 ORDER BY created_at, id', [streamId]);
  return { events: events.rows, outbox: outbox.rows };
}

describe('schema', () => {
  it('when migrate runs again on an existing database, then it succeeds and ensureDatabase finds the database', async () => {
    await migrate(pool);
    expect(await ensureDatabase(conn)).toBe(false);
  });

  it("when the outbox columns are read, then they are the Debezium outbox router's defaults", async () => {
    const { rows } = await pool.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'outbox' ORDER BY ordinal_position`,
    );
    expect(rows).toEqual([
      { column_name: 'id', data_type: 'uuid' },
      { column_name: 'aggregatetype', data_type: 'character varying' },
      { column_name: 'aggregateid', data_type: 'character varying' },
      { column_name: 'type', data_type: 'character varying' },
      { column_name: 'payload', data_type: 'jsonb' },
      { column_name: 'created_at', data_type: 'timestamp with time zone' },
    ]);
  });
});

describe('append and readStream', () => {
  it('when events are appended in two calls, then the stream reads back in order with dense versions, times and growing positions', async () => {
    const id = newStream('read');
    await store.append(id, 0, [{ type: 'ShipmentRequested', data: { orderId: id } }]);
    const second = await store.append(id, 1, [
      { type: 'Packed', data: {} },
      { type: 'Dispatched', data: { carrier: 'DHL', trackingNumber: 'T1' } },
    ]);
    expect(second.map((e) => e.version)).toEqual([2, 3]);
    const { version, events } = await store.readStream(id);
    expect(version).toBe(3);
    expect(events.map((e) => [e.version, e.type, e.data])).toEqual([
      [1, 'ShipmentRequested', { orderId: id }],
      [2, 'Packed', {}],
      [3, 'Dispatched', { carrier: 'DHL', trackingNumber: 'T1' }],
    ]);
    expect(events.every((e) => e.at instanceof Date && e.streamId === id)).toBe(true);
    expect(events[1]!.position).toBeGreaterThan(events[0]!.position);
    expect(events[2]!.position).toBeGreaterThan(events[1]!.position);
  });

  it('when a stream was never written, then it reads as version 0 with no events', async () => {
    expect(await store.readStream(newStream('empty'))).toEqual({ version: 0, events: [] });
  });

  it('when events are appended, then each has one outbox row with its id, keyed by the stream, carrying version and data', async () => {
    const id = newStream('outbox');
    const [requested] = await store.append(id, 0, [{ type: 'ShipmentRequested', data: { orderId: id } }]);
    const { outbox } = await rowsOf(id);
    expect(outbox).toEqual([
      {
        id: requested!.eventId,
        aggregatetype: 'shipment',
        aggregateid: id,
        type: 'ShipmentRequested',
        payload: { eventId: requested!.eventId, orderId: id, version: 1, type: 'ShipmentRequested', at: requested!.at.toISOString(), data: { orderId: id } },
      },
    ]);
  });

  it('when expectedVersion is stale, then a VersionConflictError names the current version and nothing is written', async () => {
    const id = newStream('stale');
    await store.append(id, 0, [{ type: 'ShipmentRequested', data: { orderId: id } }]);
    await store.append(id, 1, [{ type: 'Packed', data: {} }]);
    const err = await caught(store.append(id, 1, [{ type: 'Cancelled', data: {} }]));
    expect(err).toBeInstanceOf(VersionConflictError);
    expect(err).toMatchObject({ streamId: id, expectedVersion: 1, currentVersion: 2, status: 409 });
    const rows = await rowsOf(id);
    expect(rows.events.map((e) => e.type)).toEqual(['ShipmentRequested', 'Packed']);
    expect(rows.outbox).toHaveLength(2);
  });

  it('when expectedVersion is ahead of the stream, then it is a conflict too: versions never get a gap', async () => {
    const id = newStream('gap');
    const err = await caught(store.append(id, 5, [{ type: 'Packed', data: {} }]));
    expect(err).toMatchObject({ expectedVersion: 5, currentVersion: 0 });
    expect((await rowsOf(id)).events).toEqual([]);
  });

  it('when ten appends race for the same version, then exactly one wins and the others get a conflict naming version 1', async () => {
    const id = newStream('race');
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => store.append(id, 0, [{ type: 'ShipmentRequested', data: { orderId: `${id}-${i}` } }])),
    );
    const won = results.filter((r): r is PromiseFulfilledResult<StoredEvent[]> => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(9);
    for (const r of lost) expect(r.reason).toMatchObject({ name: 'VersionConflictError', currentVersion: 1 });
    const rows = await rowsOf(id);
    expect(rows.events).toHaveLength(1);
    expect(rows.outbox.map((o) => o.id)).toEqual([won[0]!.value[0]!.eventId]);
  });

  it('when our insert waits behind an uncommitted append of the same version, then the unique constraint turns it into a conflict once that one commits', async () => {
    const id = newStream('unique');
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let insideFirst!: () => void;
    const firstInside = new Promise<void>((resolve) => (insideFirst = resolve));
    // The first append holds its transaction open after inserting version 1.
    const first = store.append(id, 0, [{ type: 'ShipmentRequested', data: { orderId: id } }], async () => {
      insideFirst();
      await released;
    });
    await firstInside;
    // The second one's version check still sees 0 (nothing committed), so it inserts and blocks.
    const second = caught(store.append(id, 0, [{ type: 'ShipmentRequested', data: { orderId: `${id}-b` } }]));
    await waitFor(async () => {
      const { rows } = await pool.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO events%'`,
      );
      return rows[0].n === 1;
    });
    release();
    await first;
    expect(await second).toMatchObject({ name: 'VersionConflictError', expectedVersion: 0, currentVersion: 1 });
    expect((await rowsOf(id)).events).toEqual([{ version: 1, type: 'ShipmentRequested' }]);
  });

  it('when the in-transaction step fails, then neither the events nor their outbox rows are written', async () => {
    const id = newStream('rollback');
    const err = await caught(
      store.append(id, 0, [{ type: 'ShipmentRequested', data: { orderId: id } }], async (tx) => {
        // The events and outbox rows are visible inside the transaction …
        const { rows } = await tx.query('SELECT count(*)::int AS n FROM outbox WHERE aggregateid = $1', [id]);
        expect(rows[0].n).toBe(1);
        throw new Error('projection failed');
      }),
    );
    expect(err).toMatchObject({ message: 'projection failed' });
    // … and gone with it.
    expect(await rowsOf(id)).toEqual({ events: [], outbox: [] });
  });

  it('when nothing is appended, then nothing is written and no transaction is opened', async () => {
    const id = newStream('nothing');
    expect(await store.append(id, 0, [])).toEqual([]);
    expect((await rowsOf(id)).events).toEqual([]);
  });
});

describe('append-only', () => {
  it('when an event is updated, deleted or the table truncated, then PostgreSQL refuses', async () => {
    const id = newStream('immutable');
    await store.append(id, 0, [{ type: 'ShipmentRequested', data: { orderId: id } }]);
    await expect(pool.query(`UPDATE events SET type = 'Delivered' WHERE stream_id = $1`, [id])).rejects.toThrow(/events is append-only: UPDATE is not allowed/);
    await expect(pool.query('DELETE FROM events WHERE stream_id = $1', [id])).rejects.toThrow(/events is append-only: DELETE is not allowed/);
    await expect(pool.query('TRUNCATE events CASCADE')).rejects.toThrow(/events is append-only: TRUNCATE is not allowed/);
    expect((await rowsOf(id)).events).toEqual([{ version: 1, type: 'ShipmentRequested' }]);
  });
});

describe('readEventsInStreamOrder', () => {
  it('when read in small pages, then every event comes once, ordered by stream then version', async () => {
    const ids = [newStream('scan'), newStream('scan'), newStream('scan')];
    for (const [i, id] of ids.entries()) {
      await store.append(id, 0, [{ type: 'ShipmentRequested', data: { orderId: id } }]);
      if (i !== 1) await store.append(id, 1, [{ type: 'Packed', data: {} }, { type: 'Delivered', data: {} }]);
    }
    const seen: Array<[string, number]> = [];
    let cursor = null;
    for (;;) {
      const page: StoredEvent[] = await readEventsInStreamOrder(pool, cursor, 2);
      if (page.length === 0) break;
      seen.push(...page.map((e): [string, number] => [e.streamId, e.version]));
      cursor = { streamId: page.at(-1)!.streamId, version: page.at(-1)!.version };
    }
    const { rows } = await pool.query('SELECT stream_id, version FROM events ORDER BY stream_id, version');
    expect(seen).toEqual(rows.map((r) => [r.stream_id, r.version]));
    expect(seen.filter(([s]) => ids.includes(s))).toHaveLength(7);
  });
});
