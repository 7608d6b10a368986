/**
 * The order trace against the real MariaDB, Kafka and PostgreSQL of the test infrastructure
 * and the real orders-graph app (started here on port 0), each on stores of this test's own:
 * a MariaDB database, three topics and a PostgreSQL database named for it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@oms/service-kit';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../services/orders-graph/src/app.js';
import { ensureDatabase, migrate } from '../../../services/orders-graph/src/data/migrate.js';
import { PgOrderRepository } from '../../../services/orders-graph/src/data/order-repository.js';
import { testInfra } from '../../../test/infra.js';
import { testOpsContext } from '../../../test/ops-context.js';
import { NotFoundError, UsageError } from '../errors.js';
import { kafkaClient, withAdmin } from '../lib/kafka.js';
import { traceOrder, watchNewOrder, watchTrace, type TraceResult, type TraceTargets } from './trace.js';

const infra = testInfra();
const run = randomUUID().slice(0, 8);
const DB = 'oms_trace_test';
const stateDir = mkdtempSync(join(tmpdir(), 'oms-trace-'));
const ctx = testOpsContext({ stateDir });
const topics = { order: `oms-test-trace-order-${run}`, orderDetail: `oms-test-trace-detail-${run}`, graph: `oms-test-trace-graph-${run}` };

let db: mysql.Connection;
let pool: pg.Pool;
let server: Server;
let targets: TraceTargets;

const customer = { id: randomUUID(), name: 'Trace', lastName: 'Test', email: `trace-${run}@oms.example` };
const address = { id: randomUUID(), streetType: 'STREET', streetName: 'Hop street', streetNumber: '1', buildingNumber: '1', departmentNumber: '1', reference: 'trace', latitude: 1, longitude: 2 };

/** The MariaDB row, as the orders service writes it. */
async function insertRow(id: string, createdAt: Date, lineCount = 2): Promise<void> {
  await db.query('INSERT INTO `order` (id, customer_id, line_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?)', [id, customer.id, lineCount, createdAt, createdAt]);
}

/** The CDC records (keyed as Debezium keys them) and the processor's record, at the given times. */
async function produce(id: string, at: { order?: number; details?: number[]; graph?: number }): Promise<void> {
  const producer = kafkaClient(infra.kafkaBrokers).producer();
  await producer.connect();
  const key = JSON.stringify({ order_id: id });
  if (at.order !== undefined) await producer.send({ topic: topics.order, messages: [{ key, value: JSON.stringify({ id, line_count: 2 }), timestamp: String(at.order) }] });
  if (at.details) await producer.send({ topic: topics.orderDetail, messages: at.details.map((t, i) => ({ key, value: JSON.stringify({ order_id: id, line_no: i + 1 }), timestamp: String(t) })) });
  if (at.graph !== undefined) await producer.send({ topic: topics.graph, messages: [{ key: JSON.stringify({ id }), value: JSON.stringify({ id, total: 21 }), timestamp: String(at.graph) }] });
  await producer.disconnect();
}

/** The read model's row, as the JDBC sink writes it. */
async function insertReadModel(id: string, createdAt: Date): Promise<void> {
  const items = [{ sku: 'SKU-1', description: 'Pan', unitPrice: 10.5, quantity: 2, lineTotal: 21, deliveryAddress: address }];
  await pool.query('INSERT INTO orders (id, customer_id, customer_name, customer_email, customer, items, total, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)', [
    id,
    customer.id,
    'Trace Test',
    customer.email,
    JSON.stringify(customer),
    JSON.stringify(items),
    '21.00',
    createdAt.toISOString(),
  ]);
}

beforeAll(async () => {
  const root = await mysql.createConnection({ ...infra.mysql });
  await root.query(`CREATE DATABASE IF NOT EXISTS ${DB}`);
  await root.end();
  db = await mysql.createConnection({ ...infra.mysql, database: DB, timezone: 'Z' });
  await db.query('CREATE TABLE IF NOT EXISTS `order` (id CHAR(36) PRIMARY KEY, customer_id CHAR(36) NOT NULL, line_count INT NOT NULL, created_at DATETIME(3) NOT NULL, updated_at DATETIME(3) NOT NULL)');
  await db.query('DELETE FROM `order`');
  await withAdmin(infra.kafkaBrokers, (admin) => admin.createTopics({ waitForLeaders: true, topics: Object.values(topics).map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })) }));
  const logger = createLogger('trace-test', 'silent');
  await ensureDatabase({ ...infra.postgres, database: DB });
  pool = new pg.Pool({ ...infra.postgres, database: DB, max: 2 });
  await migrate(pool, logger);
  await pool.query('TRUNCATE orders');
  server = await new Promise<Server>((resolve) => {
    const s = createApp({ logger, orders: new PgOrderRepository(pool) }).listen(0, '127.0.0.1', () => resolve(s));
  });
  targets = {
    mysql: { ...infra.mysql, database: DB, table: 'order' },
    topics,
    postgres: { ...infra.postgres, database: DB, table: 'orders' },
    kafkaBrokers: infra.kafkaBrokers,
    ordersGraphUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
  };
}, 60_000);

afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await pool?.end();
  await db?.end();
  await withAdmin(infra.kafkaBrokers, (admin) => admin.deleteTopics({ topics: Object.values(topics) })).catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
});

const hop = (r: TraceResult, id: string) => r.hops.find((h) => h.id === id)!;

describe('traceOrder', () => {
  it('when the order is at every hop, then each is found with its time and the delta to the one before', async () => {
    const id = randomUUID();
    const t0 = Date.now() - 5000;
    await insertRow(id, new Date(t0));
    await produce(id, { order: t0 + 12, details: [t0 + 20, t0 + 21], graph: t0 + 50 });
    await insertReadModel(id, new Date(t0));

    const r = await traceOrder(ctx, id, { targets });
    expect(r.complete).toBe(true);
    expect(r.hops.map((h) => h.id)).toEqual(['mariadb', 'order', 'order_detail', 'orders-graph', 'postgres', 'graphql']);
    expect(r.hops.map((h) => h.deltaMs)).toEqual([null, 12, 9, 29, null, null]);
    expect(hop(r, 'mariadb').at).toBe(new Date(t0).toISOString());
    expect(hop(r, 'order_detail').records).toHaveLength(2);
    expect(hop(r, 'order_detail').detail).toMatch(/^2 of 2 record\(s\): partition \d offset \d+, partition \d offset \d+$/);
    // Without watching, the read model's hops are found but not timed: it keeps no write time.
    expect(hop(r, 'postgres')).toMatchObject({ found: true, at: null });
    expect(hop(r, 'graphql')).toMatchObject({ found: true, at: null, data: { id, total: 21 } });
    expect(r.totalMs).toBe(50);
  });

  it('when the order stopped after the CDC records, then the later hops are missing and it is incomplete', async () => {
    const id = randomUUID();
    const t0 = Date.now() - 3000;
    await insertRow(id, new Date(t0));
    await produce(id, { order: t0 + 5, details: [t0 + 6] });
    const r = await traceOrder(ctx, id, { targets });
    expect(r.complete).toBe(false);
    expect(r.hops.map((h) => h.found)).toEqual([true, true, true, false, false, false]);
    expect(hop(r, 'order_detail').detail).toMatch(/^1 of 2 record/);
    expect(hop(r, 'orders-graph').detail).toMatch(/^no record of the order: \d+ record\(s\) of oms-test-trace-graph-/);
  });

  it('when no hop knows the id, then it is a not-found error that lists what was checked', async () => {
    const id = randomUUID();
    const err = await traceOrder(ctx, id, { targets }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).message).toBe(`order ${id} was not found at any hop`);
    expect((err as NotFoundError).details).toHaveLength(6);
    expect((err as NotFoundError).details[0]).toBe(`MariaDB row ${DB}.order: no row with id ${id}`);
    expect((err as NotFoundError).details[1]).toMatch(/from the beginning/);
  });

  it('when the id is not a UUID, then it is a usage error', async () => {
    await expect(traceOrder(ctx, 'not-an-id', { targets })).rejects.toBeInstanceOf(UsageError);
  });
});

describe('watchTrace', () => {
  it('when the later hops happen while watching, then they appear in updates and the read model gets the time it was first seen', async () => {
    const id = randomUUID();
    const t0 = Date.now();
    await insertRow(id, new Date(t0));
    await produce(id, { order: t0 + 3 });
    const updates: TraceResult[] = [];
    const watching = watchTrace(ctx, id, { targets, timeoutMs: 30_000, onUpdate: (r) => updates.push(r) });
    await new Promise((r) => setTimeout(r, 800));
    await produce(id, { details: [Date.now(), Date.now()], graph: Date.now() });
    await insertReadModel(id, new Date(t0));
    const r = await watching;
    const ended = Date.now();
    expect(r.complete).toBe(true);
    expect(updates.length).toBeGreaterThan(1);
    expect(updates[0]!.complete).toBe(false);
    // Timed by when a look first found it: after the watch began, before it ended, GraphQL not before the row.
    const pgHop = hop(r, 'postgres');
    expect(pgHop.timeSource).toBe('first seen');
    expect(Date.parse(pgHop.at!)).toBeGreaterThan(t0);
    expect(Date.parse(pgHop.at!)).toBeLessThanOrEqual(ended);
    expect(Date.parse(hop(r, 'graphql').at!)).toBeGreaterThanOrEqual(Date.parse(pgHop.at!));
    expect(r.hops.every((h) => h.deltaMs !== null || h.id === 'mariadb')).toBe(true);
  });

  it('when the order is placed by the watch itself, then even hops there on the first look are timed', async () => {
    const r = await watchNewOrder(
      ctx,
      async () => {
        const id = randomUUID();
        const t0 = Date.now();
        await insertRow(id, new Date(t0));
        await produce(id, { order: t0 + 1, details: [t0 + 2, t0 + 3], graph: t0 + 4 });
        await insertReadModel(id, new Date(t0));
        return id;
      },
      { targets, timeoutMs: 30_000 },
    );
    expect(r.complete).toBe(true);
    expect(r.hops.every((h) => h.at !== null)).toBe(true);
  });

  it('when the watch times out, then it returns the last result, incomplete', async () => {
    const id = randomUUID();
    await insertRow(id, new Date());
    const r = await watchTrace(ctx, id, { targets, timeoutMs: 600 });
    expect(r.complete).toBe(false);
    expect(hop(r, 'mariadb').found).toBe(true);
  });
});
