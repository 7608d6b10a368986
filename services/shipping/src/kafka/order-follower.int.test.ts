/**
 * The order follower against the real Kafka and the real PostgreSQL: its own `orders-graph`-like
 * topic (3 partitions, orders-stream's record shape and key), its own group and database, so
 * nothing touches the demo's topics or the `shipping` database.
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '@oms/service-kit';
import { eventually, topicTestBed, type TopicTestBed } from '@oms/service-kit/testing';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import { PgShipmentStore } from '../data/pg-shipment-store.js';
import { freshDatabase } from '../test-support/database.js';
import { OrderFollower } from './order-follower.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const infra = testInfra();
const logger = createLogger('shipping-follower-test', 'silent');
const run = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
const TOPIC = `shipping-orders-test-${run}`;
const GROUP = `shipping-orders-test-${run}`;

let bed: TopicTestBed;
let pool: pg.Pool;
let store: PgShipmentStore;
let follower: OrderFollower;

/** The record orders-stream publishes on `orders-graph` (Connect JSON with schemas; fields trimmed to what matters). */
function enrichedOrder(orderId: string, status: 'placed' | 'cancelled') {
  const schema = { type: 'struct', name: 'oms.OrderGraph', optional: false, fields: [{ field: 'id', type: 'string', optional: false }] };
  return {
    key: JSON.stringify({ schema: { type: 'struct', name: 'oms.OrderKey', optional: false, fields: [] }, payload: { id: orderId } }),
    value: JSON.stringify({ schema, payload: { id: orderId, customer_id: randomUUID(), total: 12.5, status, cancelled_at: null, created_at: new Date().toISOString() } }),
  };
}

const send = (...records: Array<{ key: string; value: string | null }>) => bed.send(...records);

/** The follower's group has committed everything on the topic. */
const caughtUp = () => bed.caughtUp();

async function eventTypes(orderId: string): Promise<string[]> {
  const { rows } = await pool.query<{ type: string }>('SELECT type FROM events WHERE stream_id = $1 ORDER BY version', [orderId]);
  return rows.map((r) => r.type);
}

beforeAll(async () => {
  ({ pool } = await freshDatabase('shipping_test_follower', 10));
  store = new PgShipmentStore(pool);
  bed = await topicTestBed({ brokers: infra.kafkaBrokers, topic: TOPIC, group: GROUP });
  follower = new OrderFollower({ brokers: infra.kafkaBrokers, groupId: GROUP, topic: TOPIC, store, logger, joinTimeoutMs: 30_000, retryBackoff: { initialMs: 50, maxMs: 300 } });
  await follower.start();
});

afterAll(async () => {
  await follower?.stop();
  await bed?.close();
  await pool?.end();
});

describe('OrderFollower', () => {
  it('when the same enriched order is delivered ten times, then exactly one shipment is requested and every offset is committed', async () => {
    const orderId = randomUUID();
    const record = enrichedOrder(orderId, 'placed');
    await send(...Array.from({ length: 10 }, () => record));
    await caughtUp();
    expect(await eventTypes(orderId)).toEqual(['ShipmentRequested']);
    const { rows } = await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM outbox WHERE aggregateid = $1', [orderId]);
    expect(rows[0]!.n).toBe(1);
    expect(follower.health().totals).toMatchObject({ requested: expect.any(Number), unchanged: expect.any(Number) });
  });

  it('when an order turns cancelled, then its shipment is cancelled once; a cancelled order seen first gets a requested-then-cancelled shipment', async () => {
    const placedFirst = randomUUID();
    const cancelledOnly = randomUUID();
    await send(enrichedOrder(placedFirst, 'placed'), enrichedOrder(placedFirst, 'cancelled'), enrichedOrder(placedFirst, 'cancelled'), enrichedOrder(cancelledOnly, 'cancelled'));
    await caughtUp();
    expect(await eventTypes(placedFirst)).toEqual(['ShipmentRequested', 'Cancelled']);
    expect(await eventTypes(cancelledOnly)).toEqual(['ShipmentRequested', 'Cancelled']);
    expect((await store.load(placedFirst)).state).toMatchObject({ status: 'cancelled', cancelReason: 'the order was cancelled' });
  });

  it('when an order is cancelled after its shipment was dispatched, then the shipment stays dispatched and the follower counts it', async () => {
    const orderId = randomUUID();
    await send(enrichedOrder(orderId, 'placed'));
    await caughtUp();
    let stream = await store.load(orderId);
    stream = await store.append(stream, [{ type: 'Packed', data: {} }]);
    await store.append(stream, [{ type: 'Dispatched', data: { carrier: 'DHL', trackingNumber: 'T-1' } }]);
    const before = follower.health().totals['not-cancellable'] ?? 0;
    await send(enrichedOrder(orderId, 'cancelled'));
    await caughtUp();
    expect(await eventTypes(orderId)).toEqual(['ShipmentRequested', 'Packed', 'Dispatched']);
    expect(follower.health().totals['not-cancellable']).toBe(before + 1);
  });

  it('when a record is not an enriched order, then it is counted invalid and the records after it still apply', async () => {
    const orderId = randomUUID();
    const invalidBefore = follower.health().totals.invalid ?? 0;
    await send({ key: 'x', value: 'not json' }, { key: 'y', value: JSON.stringify({ payload: { status: 'placed' } }) }, enrichedOrder(orderId, 'placed'));
    await caughtUp();
    await eventually(() => follower.health().totals.invalid ?? 0, (n) => n === invalidBefore + 2);
    expect(await eventTypes(orderId)).toEqual(['ShipmentRequested']);
  });
});
