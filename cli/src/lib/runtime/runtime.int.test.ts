/**
 * The local runtime against the real programs, on ports shifted by OMS_RT_TEST_PORT_OFFSET
 * (default 20000) and a state dir of its own, so it never touches a stack on the default
 * ports. It starts cold (down --volumes first), checks every component for real, then the
 * idempotent second up, status, logs, port refusal, down/up keeping data, and down --volumes.
 */
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrereqError } from '../../errors.js';
import { isAlive, readPidFile } from '../process/supervisor.js';
import { type ComponentStatus, type LocalSettings, createLocalRuntime, defaultLocalSettings, findRepoRoot, withPortOffset } from './index.js';
import { httpClient } from '../http.js';
import { REQUIRED_CONNECT_PLUGINS } from '../stack/probes.js';

const offset = Number(process.env.OMS_RT_TEST_PORT_OFFSET ?? 20000);
const stateDir = process.env.OMS_RT_TEST_STATE_DIR ?? path.join(os.tmpdir(), `oms-rt-test-${offset}`);
const fixture = fileURLToPath(new URL('./fixtures/echo-service.mjs', import.meta.url));

const base = withPortOffset(defaultLocalSettings(findRepoRoot()), offset);
const settings: LocalSettings = {
  ...base,
  stateDir,
  services: [{ name: 'echo', port: 3999 + offset, entry: fixture, needs: ['mariadb', 'kafka'] }],
};
const progress: string[] = [];
const runtime = createLocalRuntime(settings, { onProgress: (e) => progress.push(`${e.component}: ${e.message}`) });
const ep = runtime.endpoints();
const INFRA = ['mariadb', 'postgres', 'redis', 'elasticsearch', 'kafka', 'connect'];
const get = (baseUrl: string, path: string) => httpClient({ service: baseUrl, baseUrl }).send('GET', path);

async function pids(): Promise<Record<string, number | undefined>> {
  const out: Record<string, number | undefined> = {};
  for (const id of runtime.componentIds()) out[id] = (await readPidFile(path.join(stateDir, 'run', `${id}.pid`)))?.pid;
  return out;
}

async function mysqlQuery(sql: string, user = ep.mysql.user, password = ep.mysql.password): Promise<unknown[]> {
  const conn = await mysql.createConnection({ host: ep.mysql.host, port: ep.mysql.port, user, password });
  try {
    const [rows] = await conn.query(sql);
    return rows as unknown[];
  } finally {
    await conn.end();
  }
}

beforeAll(async () => {
  await runtime.down({ volumes: true });
}, 300_000);

afterAll(async () => {
  // a test stack: free the machine (the user's stack on the default ports is never touched)
  await runtime.down({ volumes: true });
}, 300_000);

describe('local runtime on shifted ports', () => {
  it('when up runs cold, then every component answers real clients', async () => {
    const t0 = Date.now();
    const results = await runtime.up();
    console.info(`cold up ${((Date.now() - t0) / 1000).toFixed(1)}s:\n${results.map((r) => `  ${r.id}: ${String(r.outcome)} (${r.ms} ms)`).join('\n')}`);
    expect(results.map((r) => r.id)).toEqual(['prerequisites', 'artifacts', ...INFRA, 'echo']);

    expect(await mysqlQuery('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    const vars = (await mysqlQuery("SHOW VARIABLES WHERE Variable_name IN ('log_bin','binlog_format','binlog_row_image','server_id')")) as Array<{
      Variable_name: string;
      Value: string;
    }>;
    expect(Object.fromEntries(vars.map((v) => [v.Variable_name, v.Value]))).toEqual({ log_bin: 'ON', binlog_format: 'ROW', binlog_row_image: 'FULL', server_id: '1' });
    // the Debezium user can read the binlog position
    expect(await mysqlQuery('SHOW MASTER STATUS', ep.mysql.cdcUser, ep.mysql.cdcPassword)).toHaveLength(1);

    const client = new pg.Client({ host: ep.postgres.host, port: ep.postgres.port, user: ep.postgres.user, password: ep.postgres.password, database: 'orders_graph' });
    await client.connect();
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await client.end();

    // Redis keeps every write in its fsynced append-only file, and takes no snapshots.
    const redis = new Redis(ep.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0 });
    await redis.connect();
    expect(await redis.ping()).toBe('PONG');
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    expect(await redis.config('GET', 'appendfsync')).toEqual(['appendfsync', 'always']);
    expect(await redis.config('GET', 'save')).toEqual(['save', '']);
    expect(await redis.config('GET', 'dir')).toEqual(['dir', path.join(stateDir, 'redis', 'data')]);
    redis.disconnect();

    const health = await get(ep.elasticsearchUrl, '/_cluster/health');
    expect(['green', 'yellow']).toContain((health.body as { status: string }).status);

    const admin = new Kafka({ brokers: ep.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    expect((await admin.describeCluster()).brokers).toHaveLength(1);
    await admin.disconnect();

    const plugins = (await get(ep.connectUrl, '/connector-plugins')).body as Array<{ class: string }>;
    expect(plugins.map((p) => p.class)).toEqual(expect.arrayContaining(REQUIRED_CONNECT_PLUGINS));

    const env = (await get(ep.services.echo!, '/env')).body as Record<string, string>;
    expect(env).toMatchObject({
      PORT: String(3999 + offset),
      HOST: '127.0.0.1',
      MYSQL_PORT: String(ep.mysql.port),
      PG_DATABASE: 'orders_graph',
      KAFKA_BROKERS: ep.kafkaBrokers.join(','),
      ES_URL: ep.elasticsearchUrl,
      REDIS_URL: ep.redisUrl,
    });
  }, 600_000);

  it('when up runs again, then nothing restarts and it is fast', async () => {
    const before = await pids();
    const t0 = Date.now();
    const results = await runtime.up();
    const ms = Date.now() - t0;
    console.info(`warm up ${ms} ms`);
    expect(ms).toBeLessThan(5000);
    expect(await pids()).toEqual(before);
    for (const r of results.filter((r) => [...INFRA, 'echo'].includes(r.id))) expect(r.outcome).toMatch(/^already running/);
  }, 60_000);

  it('when status is asked, then every component is running and ready with its pid', async () => {
    const status = await runtime.status();
    const byId = Object.fromEntries(status.map((s) => [s.id, s])) as Record<string, ComponentStatus>;
    for (const id of [...INFRA, 'echo']) {
      expect(byId[id], id).toMatchObject({ running: true, ready: true });
      expect(byId[id]?.pid).toBeGreaterThan(1);
    }
    expect(byId.kafka?.ports).toEqual([settings.ports.kafka, settings.ports.kafkaController]);
  }, 60_000);

  it('when logs are asked, then the last lines of that component come back', async () => {
    const lines: string[] = [];
    for await (const line of runtime.logs('echo', { lines: 5 })) lines.push(line);
    expect(lines.join('\n')).toContain(`echo-service listening on ${3999 + offset}`);
  });

  it('when a port is taken by a process oms did not start, then up refuses naming the port and the process', async () => {
    await runtime.down({ only: ['echo'] });
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(3999 + offset, '127.0.0.1', r));
    try {
      const err = await runtime.up().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PrereqError);
      expect((err as Error).message).toContain(`port ${3999 + offset}`);
      expect((err as Error).message).toMatch(new RegExp(`pid ${process.pid}`));
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  }, 60_000);

  it('when a service is not built, then up refuses with the build command', async () => {
    const broken = createLocalRuntime({ ...settings, services: [{ name: 'ghost', port: 3998 + offset, entry: 'services/ghost/dist/server.js' }] });
    const err = await broken.up({ only: ['ghost'] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrereqError);
    expect((err as PrereqError).hint).toContain('npm run build');
  });

  it('when down runs, then no port is held; up again keeps the data', async () => {
    await mysqlQuery('CREATE DATABASE IF NOT EXISTS rt_keep');
    await mysqlQuery('CREATE TABLE IF NOT EXISTS rt_keep.t (id INT PRIMARY KEY)');
    await mysqlQuery('INSERT IGNORE INTO rt_keep.t VALUES (42)');
    const redis = new Redis(ep.redisUrl, { maxRetriesPerRequest: 0 });
    await redis.set('rt:keep', '42');
    redis.disconnect();

    const before = await pids();
    let t0 = Date.now();
    const down = await runtime.down();
    console.info(`down ${Date.now() - t0} ms`);
    expect(down.steps.find((s) => s.id === 'verify')?.outcome).toBe('all ports free');
    for (const pid of Object.values(before)) {
      if (pid) expect(isAlive({ pid, startTime: null, command: '', startedAt: '' })).toBe(false);
    }

    t0 = Date.now();
    await runtime.up();
    console.info(`up after down ${Date.now() - t0} ms`);
    expect(await mysqlQuery('SELECT id FROM rt_keep.t')).toEqual([{ id: 42 }]);
    const again = new Redis(ep.redisUrl, { maxRetriesPerRequest: 0 });
    expect(await again.get('rt:keep')).toBe('42');
    again.disconnect();
  }, 600_000);

  it('when down --volumes runs, then the data dirs are gone', async () => {
    await runtime.down({ volumes: true });
    expect(existsSync(path.join(stateDir, 'mariadb'))).toBe(false);
    expect(existsSync(path.join(stateDir, 'kafka'))).toBe(false);
    expect(existsSync(path.join(stateDir, 'redis'))).toBe(false);
    expect(existsSync(path.join(stateDir, 'postgres', 'data'))).toBe(false);
  }, 300_000);
});
