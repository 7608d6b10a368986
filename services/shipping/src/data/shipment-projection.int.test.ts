import { randomUUID } from 'node:crypto';
import { HttpError } from '@oms/service-kit';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeShipment, requestShipment } from '../domain/shipping.js';
import { SHIPMENT_STATUSES } from '../domain/shipment.js';
import { changeArb } from '../test-support/arbitraries.js';
import { freshDatabase } from '../test-support/database.js';
import { PgShipmentStore } from './pg-shipment-store.js';
import { replayShipmentProjection } from './shipment-projection.js';

let pool: pg.Pool;
let store: PgShipmentStore;

beforeAll(async () => {
  ({ pool } = await freshDatabase('shipping_test_projection', 12));
  store = new PgShipmentStore(pool);
});

afterAll(async () => {
  await pool?.end();
});

/** A shipment's life: requested (sometimes twice), then up to seven commands, one in ten decided on a stale version. */
const lifeArb = fc.record({
  requestTwice: fc.boolean(),
  steps: fc.array(fc.record({ command: changeArb, stale: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }), { maxLength: 7 }),
});
type Life = typeof lifeArb extends fc.Arbitrary<infer L> ? L : never;

interface Tally {
  accepted: number;
  conflicts: number;
  rejected: number;
}

/** Lives one life through the use cases; conflicts and rejections are expected outcomes and counted. */
async function liveThrough(orderId: string, life: Life, tally: Tally): Promise<void> {
  let { stream } = await requestShipment(store, orderId);
  if (life.requestTwice) await requestShipment(store, orderId);
  for (const { command, stale } of life.steps) {
    try {
      stream = await changeShipment(store, orderId, command, stale ? Math.max(0, stream.version - 1) : stream.version);
      tally.accepted += 1;
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      if (err.status === 409) tally.conflicts += 1;
      else if (err.status === 422) tally.rejected += 1;
      else throw err;
      stream = await store.load(orderId);
    }
  }
}

/** Runs `work` for each item with at most `width` in flight. */
async function inParallel<T>(items: readonly T[], width: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        await work(items[index]!, index);
      }
    }),
  );
}

const projectionRows = async () => (await pool.query('SELECT * FROM shipments ORDER BY order_id')).rows;
const count = async (sql: string) => (await pool.query<{ n: number }>(sql)).rows[0]!.n;

describe('replayShipmentProjection', () => {
  const SEED = 20_261_128;
  const orderIds = Array.from({ length: 500 }, () => randomUUID());

  it(`when 500 shipments lived random command sequences (seed ${SEED}), then the replayed projection equals the live one`, async () => {
    const [lives] = fc.sample(fc.array(lifeArb, { minLength: 500, maxLength: 500 }), { seed: SEED, numRuns: 1 });
    const tally: Tally = { accepted: 0, conflicts: 0, rejected: 0 };
    await inParallel(orderIds, 8, (orderId, i) => liveThrough(orderId, lives![i]!, tally));

    // The sequences really exercised the rules: accepted commands, stale versions and refusals.
    expect(tally.accepted).toBeGreaterThan(300);
    expect(tally.conflicts).toBeGreaterThan(20);
    expect(tally.rejected).toBeGreaterThan(100);
    const live = await projectionRows();
    expect(live).toHaveLength(500);
    expect(new Set(live.map((r) => r.status))).toEqual(new Set(SHIPMENT_STATUSES));

    const report = await replayShipmentProjection(pool, { batchSize: 97 });
    expect(report).toMatchObject({ streams: 500, equal: true, differenceCount: 0, differences: [] });
    expect(report.events).toBe(await count('SELECT count(*)::int AS n FROM events'));
    expect(report.events).toBe(500 + tally.accepted);
    expect(await projectionRows()).toEqual(live);
  }, 120_000);

  it('when the projection was emptied, then replay rebuilds every row and reports each one as missing from the live side', async () => {
    const before = await projectionRows();
    await pool.query('DELETE FROM shipments');
    const report = await replayShipmentProjection(pool, { maxDifferences: 5 });
    expect(report.equal).toBe(false);
    expect(report.differenceCount).toBe(before.length);
    expect(report.differences).toHaveLength(5);
    for (const d of report.differences) {
      expect(d.live).toBeNull();
      expect(d.rebuilt?.orderId).toBe(d.orderId);
    }
    expect(await projectionRows()).toEqual(before);
  });

  it('when live rows were tampered with, then replay names exactly those orders, repairs them, and a second replay is equal', async () => {
    const [changed, removed] = (await projectionRows()).slice(0, 2);
    const stray = randomUUID();
    await pool.query(`UPDATE shipments SET tracking_number = 'forged' WHERE order_id = $1`, [changed.order_id]);
    await pool.query('DELETE FROM shipments WHERE order_id = $1', [removed.order_id]);
    await pool.query(`INSERT INTO shipments VALUES ($1, 'delivered', NULL, NULL, 4, now())`, [stray]);

    const report = await replayShipmentProjection(pool);
    expect(report.equal).toBe(false);
    expect(report.differenceCount).toBe(3);
    const byOrder = new Map(report.differences.map((d) => [d.orderId, d]));
    expect(byOrder.get(changed.order_id)?.live?.trackingNumber).toBe('forged');
    expect(byOrder.get(changed.order_id)?.rebuilt?.trackingNumber).toBe(changed.tracking_number);
    expect(byOrder.get(removed.order_id)).toMatchObject({ live: null, rebuilt: { orderId: removed.order_id, version: removed.version } });
    expect(byOrder.get(stray)).toMatchObject({ live: { status: 'delivered' }, rebuilt: null });

    expect((await replayShipmentProjection(pool)).equal).toBe(true);
  });

  it('when commands run while a replay holds the projection, then they wait, none is lost, and the next replay is equal', async () => {
    const fresh = Array.from({ length: 40 }, () => randomUUID());
    const [report] = await Promise.all([
      replayShipmentProjection(pool),
      inParallel(fresh, 8, async (orderId) => {
        await requestShipment(store, orderId);
        await changeShipment(store, orderId, { type: 'pack' }, 1);
      }),
    ]);
    expect(report.equal).toBe(true);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM shipments WHERE order_id = ANY($1) AND status = $2 AND version = 2', [fresh, 'packed']);
    expect(rows[0].n).toBe(fresh.length);
    expect(await replayShipmentProjection(pool)).toMatchObject({ equal: true, streams: 540 });
  });
});

describe('list', () => {
  it('when filtered by status, then the projection answers exactly the shipments in that status, newest change first', async () => {
    const statusCounts = new Map<string, number>((await pool.query('SELECT status, count(*)::int AS n FROM shipments GROUP BY status')).rows.map((r) => [r.status, r.n]));
    for (const status of SHIPMENT_STATUSES) {
      const page = await store.list({ status, limit: 100, offset: 0 });
      expect(page.total).toBe(statusCounts.get(status));
      expect(page.items.every((s) => s.status === status)).toBe(true);
      const times = page.items.map((s) => s.updatedAt.getTime());
      expect(times).toEqual([...times].sort((a, b) => b - a));
    }
    const all = await store.list({ limit: 10, offset: 535 });
    expect(all.total).toBe(540);
    expect(all.items).toHaveLength(5);
  });
});
