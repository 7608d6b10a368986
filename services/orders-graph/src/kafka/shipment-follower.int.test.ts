/**
 * The shipment follower against the real Kafka and the real PostgreSQL: its own
 * `shipment-events`-like topic and group and its own read-model database, so nothing touches
 * the demo's topics or `orders_graph`.
 */
import { randomUUID } from 'node:crypto';
import { createLogger } from '@oms/service-kit';
import { dropPgDatabase, topicTestBed, type TopicTestBed } from '@oms/service-kit/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import { ensureDatabase, migrate } from '../data/migrate.js';
import { PgOrderRepository } from '../data/order-repository.js';
import { ShipmentFollower } from './shipment-follower.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const infra = testInfra();
const logger = createLogger('orders-graph-shipments-test', 'silent');
const DATABASE = 'orders_graph_shipments_test';
const run = `${Date.now().toString(36)}-${randomUUID().slice(0, 8)}`;
const TOPIC = `shipment-events-test-${run}`;
const GROUP = `orders-graph-shipments-test-${run}`;

let bed: TopicTestBed;
let pool: pg.Pool;
let follower: ShipmentFollower;

/** The record Debezium's outbox router publishes for one shipping event. */
function eventRecord(orderId: string, version: number, type: string, data: Record<string, unknown> = {}) {
  const value = { eventId: randomUUID(), orderId, version, type, at: new Date(Date.UTC(2026, 0, 15, 10, version)).toISOString(), data };
  return { key: JSON.stringify({ order_id: orderId }), value: JSON.stringify(value), headers: { eventType: type } };
}

/** The follower's group has committed everything on the topic. */
const caughtUp = () => bed.caughtUp();

async function order(id: string) {
  await pool.query(`INSERT INTO orders (id, customer_id, total, created_at) VALUES ($1, 'c-1', 10, now()) ON CONFLICT DO NOTHING`, [id]);
  return new PgOrderRepository(pool).findById(id);
}

beforeAll(async () => {
  const conn = { ...infra.postgres, database: DATABASE };
  await dropPgDatabase(infra.postgres, DATABASE);
  await ensureDatabase(conn);
  pool = new pg.Pool({ ...conn, max: 4 });
  await migrate(pool, logger);
  bed = await topicTestBed({ brokers: infra.kafkaBrokers, topic: TOPIC, group: GROUP });
  follower = new ShipmentFollower({ brokers: infra.kafkaBrokers, groupId: GROUP, topic: TOPIC, pool, logger, joinTimeoutMs: 30_000, retryBackoff: { initialMs: 50, maxMs: 300 } });
  await follower.start();
});

afterAll(async () => {
  await follower?.stop();
  await bed?.close();
  await pool?.end();
  await dropPgDatabase(infra.postgres, DATABASE);
});

describe('ShipmentFollower', () => {
  it('when events arrive duplicated and out of order, then the order shows each once, in version order, with the newest status', async () => {
    const orderId = `o-${randomUUID()}`;
    const requested = eventRecord(orderId, 1, 'ShipmentRequested', { orderId });
    const packed = eventRecord(orderId, 2, 'Packed');
    const dispatched = eventRecord(orderId, 3, 'Dispatched', { carrier: 'DHL', trackingNumber: 'JD1' });
    await bed.send(dispatched, requested, requested, packed, dispatched, requested);
    await caughtUp();
    expect((await order(orderId))?.shipment).toEqual({
      status: 'dispatched',
      carrier: 'DHL',
      trackingNumber: 'JD1',
      version: 3,
      history: [
        { version: 1, type: 'ShipmentRequested', at: '2026-01-15T10:01:00.000Z' },
        { version: 2, type: 'Packed', at: '2026-01-15T10:02:00.000Z' },
        { version: 3, type: 'Dispatched', at: '2026-01-15T10:03:00.000Z' },
      ],
    });
    expect(follower.health().totals).toMatchObject({ duplicates: expect.any(Number), stored: expect.any(Number) });
    expect(follower.health().totals.duplicates).toBeGreaterThanOrEqual(3);
  });

  it('when an order has no shipment event, then its shipment is null; a record that is not an event is counted and skipped', async () => {
    const before = follower.health().totals.invalid ?? 0;
    await bed.send({ key: 'x', value: 'not json' }, { key: 'y', value: JSON.stringify({ orderId: 'o', type: 'Packed' }) });
    await caughtUp();
    expect(follower.health().totals.invalid).toBe(before + 2);
    expect((await order(`o-${randomUUID()}`))?.shipment).toBeNull();
  });
});
