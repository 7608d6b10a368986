import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgShipmentStore } from './data/pg-shipment-store.js';
import { requestShipment } from './domain/shipping.js';
import { itWaitsForItsDatabase } from '../../../test/service-startup.js';
import { waitFor } from './test-support/async.js';
import { freshDatabase, testConnection } from './test-support/database.js';
import { testInfra } from '../../../test/infra.js';
import type { PgConnection } from './data/database.js';

// The real service binary (dist/server.js from `npx tsc -b`), killed with SIGKILL mid-transaction.
const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const DATABASE = 'shipping_test_kill';
const children: ChildProcess[] = [];
const logs: string[] = [];
let pool: pg.Pool;
let conn: PgConnection;
let store: PgShipmentStore;

beforeAll(async () => {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npx tsc -b\` before the integration tests`);
  ({ pool, conn } = await freshDatabase(DATABASE));
  store = new PgShipmentStore(pool);
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await pool?.end();
});

/**
 * The follower's topic and group, unique and absent: the real Kafka answers, but the follower
 * never reads the demo's `orders-graph` nor joins the demo's group (it keeps retrying quietly).
 */
function followerEnv(): Record<string, string> {
  return { KAFKA_BROKERS: testInfra().kafkaBrokers.join(','), ORDERS_GRAPH_TOPIC: `orders-graph-test-absent-${randomUUID()}`, ORDERS_GROUP_ID: `shipping-test-${randomUUID()}` };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

/** Starts dist/server.js on its own port and test database; resolves once /health is 200. */
async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], {
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      HOST: '127.0.0.1',
      PG_HOST: conn.host,
      PG_PORT: String(conn.port),
      PG_USER: conn.user,
      PG_PASSWORD: conn.password,
      PG_DATABASE: DATABASE,
      ...followerEnv(),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`shipping exited with ${child.exitCode}:\n${logs.join('')}`);
      const res = await axios.get(`${url}/health`, { validateStatus: () => true }).catch(() => null);
      return res?.status === 200;
    },
    30_000,
    'shipping /health 200',
  );
  return { child, url };
}

/**
 * The backend of the service's connection that is inside an append: it holds the row lock of
 * the events it inserted (an open transaction that has written) and waits for `waitingOn`.
 */
async function backendStuckOn(waitingOn: 'outbox' | 'shipments', alreadyWritten: string[]): Promise<number | null> {
  const { rows } = await pool.query<{ pid: number }>(
    `SELECT a.pid FROM pg_stat_activity a
      WHERE a.datname = current_database() AND a.application_name = 'shipping'
        AND a.wait_event_type = 'Lock' AND a.backend_xid IS NOT NULL
        AND EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = a.pid AND l.relation = $1::regclass AND NOT l.granted)
        AND (SELECT count(*) FROM pg_locks l WHERE l.pid = a.pid AND l.granted AND l.mode = 'RowExclusiveLock'
               AND l.relation = ANY($2::regclass[])) = cardinality($2::regclass[])`,
    [waitingOn, alreadyWritten],
  );
  return rows[0]?.pid ?? null;
}

async function storedFor(orderId: string) {
  const events = await pool.query('SELECT version, type FROM events WHERE stream_id = $1 ORDER BY version', [orderId]);
  const outbox = await pool.query('SELECT type FROM outbox WHERE aggregateid = $1 ORDER BY created_at', [orderId]);
  const projection = await pool.query('SELECT status, version FROM shipments WHERE order_id = $1', [orderId]);
  return { events: events.rows, outbox: outbox.rows.map((r) => r.type), projection: projection.rows };
}

const blockers = {
  // Holding `outbox` stops the append right after its events were inserted.
  'the event write and the outbox write': { table: 'outbox', written: ['events'] },
  // Holding `shipments` stops it after events and outbox rows, before the projection and COMMIT.
  'the outbox write and the projection write': { table: 'shipments', written: ['events', 'outbox'] },
} as const;

describe('kill -9 in the middle of an append', () => {
  it.each(Object.entries(blockers))('when shipping is killed between %s, then nothing of the command is stored', async (_between, { table, written }) => {
    const { child, url } = await startServer();
    const orderId = randomUUID();
    await requestShipment(store, orderId);
    const before = await storedFor(orderId);

    // Another session holds the next table the append needs, so the append stops there with
    // its first writes done but not committed.
    const blocker = await pool.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query(`LOCK TABLE ${table} IN EXCLUSIVE MODE`);
      const command = axios.post(`${url}/shipments/${orderId}/pack`, { expectedVersion: 1 }, { validateStatus: () => true }).catch((err: unknown) => err);
      let pid: number | null = null;
      await waitFor(async () => (pid = await backendStuckOn(table, [...written])) !== null, 10_000, `an append waiting on ${table}`);

      child.kill('SIGKILL');
      expect(await command).toBeInstanceOf(Error); // the client saw the connection die, no answer
      await new Promise((resolve) => child.once('exit', resolve));
      await blocker.query('ROLLBACK');

      // PostgreSQL notices the dead client and rolls the transaction back.
      await waitFor(async () => (await pool.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).rowCount === 0, 15_000, `backend ${String(pid)} to end`);
    } finally {
      blocker.release();
    }

    const after = await storedFor(orderId);
    expect(after).toEqual(before);
    expect(after).toEqual({ events: [{ version: 1, type: 'ShipmentRequested' }], outbox: ['ShipmentRequested'], projection: [{ status: 'requested', version: 1 }] });

    // The store is consistent: a restarted service takes the same command at the same version.
    const restarted = await startServer();
    const res = await axios.post(`${restarted.url}/shipments/${orderId}/pack`, { expectedVersion: 1 });
    expect(res.data).toMatchObject({ status: 'packed', version: 2 });
    expect(await storedFor(orderId)).toEqual({
      events: [
        { version: 1, type: 'ShipmentRequested' },
        { version: 2, type: 'Packed' },
      ],
      outbox: ['ShipmentRequested', 'Packed'],
      projection: [{ status: 'packed', version: 2 }],
    });
    restarted.child.kill('SIGTERM');
    await new Promise((resolve) => restarted.child.once('exit', resolve));
  }, 60_000);
});

describe('shipping start-up', () => {
  itWaitsForItsDatabase({
    entry: new URL('../dist/server.js', import.meta.url),
    database: 'postgres',
    server: testConnection('shipping_startup_test'),
    name: 'shipping_startup_test',
    env: followerEnv(),
  });
});
