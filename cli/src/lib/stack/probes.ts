/**
 * Readiness probes: each asks the real server a real question (SELECT 1, cluster health,
 * broker metadata, the plugin list, PING and the persistence settings) and never throws.
 */
import { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { z } from 'zod';
import { httpClient, unreachableReason } from '../http.js';

export interface Probe {
  ready: boolean;
  /** Why not ready (last error), or what answered. */
  detail?: string;
  /** Answered, but in a way that waiting will not fix: stop waiting and fail with this. */
  fatal?: string;
}

function message(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return message(err.errors[0]);
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
}

/** GET `url` for a probe: any status comes back; no answer throws (the probe turns it into its detail). */
async function get(url: string, timeoutMs: number): Promise<{ status: number; body: unknown }> {
  const { origin, pathname, search } = new URL(url);
  return httpClient({ service: origin, baseUrl: origin, timeoutMs }).send('GET', `${pathname}${search}`);
}

export async function probeMysql(c: { host: string; port: number; user: string; password: string }): Promise<Probe> {
  let conn: mysql.Connection | undefined;
  try {
    conn = await mysql.createConnection({ host: c.host, port: c.port, user: c.user, password: c.password, connectTimeout: 3000 });
    await conn.query('SELECT 1');
    return { ready: true, detail: 'SELECT 1 answered' };
  } catch (err) {
    return { ready: false, detail: message(err) };
  } finally {
    await conn?.end().catch(() => undefined);
  }
}

export async function probePostgres(c: { host: string; port: number; user: string; password: string; database: string }): Promise<Probe> {
  const client = new pg.Client({ ...c, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { ready: true, detail: 'SELECT 1 answered' };
  } catch (err) {
    return { ready: false, detail: message(err) };
  } finally {
    await client.end().catch(() => undefined);
  }
}

const clusterHealth = z.object({ status: z.string() }).partial();
const pluginList = z.array(z.object({ class: z.string() }).partial());

export async function probeElasticsearch(url: string): Promise<Probe> {
  try {
    const { status, body } = await get(`${url}/_cluster/health?timeout=2s`, 5000);
    const health = clusterHealth.safeParse(body).data?.status;
    if (status === 200 && (health === 'green' || health === 'yellow')) return { ready: true, detail: `cluster ${health}` };
    return { ready: false, detail: `HTTP ${status}, cluster ${health ?? 'unknown'}` };
  } catch (err) {
    return { ready: false, detail: unreachableReason(err) };
  }
}

export async function probeKafka(brokers: string[]): Promise<Probe> {
  const kafka = new Kafka({
    clientId: 'oms-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 2000,
    requestTimeout: 3000,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const cluster = await admin.describeCluster();
    return cluster.brokers.length > 0
      ? { ready: true, detail: `cluster ${cluster.clusterId}, ${cluster.brokers.length} broker(s)` }
      : { ready: false, detail: 'no brokers in metadata' };
  } catch (err) {
    return { ready: false, detail: message(err) };
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** Connector classes Connect must offer (Debezium sources and the JDBC sink). */
export const REQUIRED_CONNECT_PLUGINS = [
  'io.debezium.connector.mariadb.MariaDbConnector',
  'io.debezium.connector.mysql.MySqlConnector',
  'io.debezium.connector.jdbc.JdbcSinkConnector',
];

export async function probeConnect(url: string, required = REQUIRED_CONNECT_PLUGINS): Promise<Probe> {
  try {
    const plugins = await get(`${url}/connector-plugins`, 5000);
    const list = pluginList.safeParse(plugins.body);
    if (plugins.status !== 200 || !list.success) return { ready: false, detail: `GET /connector-plugins: HTTP ${plugins.status}` };
    const classes = new Set(list.data.map((p) => p.class));
    const missing = required.filter((c) => !classes.has(c));
    // The REST server starts after plugin scanning, so a list without them stays without them.
    if (missing.length > 0) return { ready: false, fatal: `Connect plugins missing: ${missing.join(', ')}` };
    const connectors = await get(`${url}/connectors`, 5000);
    if (connectors.status !== 200) return { ready: false, detail: `GET /connectors: HTTP ${connectors.status} (worker still joining its group)` };
    return { ready: true, detail: `${classes.size} connector plugins` };
  } catch (err) {
    return { ready: false, detail: unreachableReason(err) };
  }
}

/** `INFO` text (`# Section` headers, `key:value` lines) as a map. */
export function parseRedisInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1).trim();
  }
  return fields;
}

/**
 * Judges `INFO persistence`: the inventory keeps stock only in Redis, so a Redis without its
 * append-only file would lose acknowledged reservations on a restart. AOF off is fatal (waiting
 * will not turn it on); a failed last AOF write (disk full) or a load in progress is not ready.
 */
export function judgeRedisPersistence(info: Record<string, string>): Probe {
  if (info.loading === '1') return { ready: false, detail: 'loading its append-only file' };
  if (info.aof_enabled !== '1') return { ready: false, fatal: 'Redis answers, but its append-only file is off (appendonly no): the inventory needs AOF to keep acknowledged changes' };
  if (info.aof_last_write_status !== undefined && info.aof_last_write_status !== 'ok') return { ready: false, detail: `the last AOF write failed (aof_last_write_status:${info.aof_last_write_status})` };
  return { ready: true, detail: 'PING answered, AOF on' };
}

export async function probeRedis({ host, port }: { host: string; port: number }): Promise<Probe> {
  // One attempt, no reconnects, no queue: a probe answers now or says why not.
  const client = new Redis({ host, port, lazyConnect: true, connectTimeout: 2000, commandTimeout: 3000, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
  // ioredis rejects a failed connect with "Connection is closed."; the cause comes as an event.
  let cause: unknown;
  client.on('error', (err: unknown) => (cause = err));
  try {
    await client.connect();
    await client.ping();
    return judgeRedisPersistence(parseRedisInfo(await client.info('persistence')));
  } catch (err) {
    // While it replays its AOF, Redis answers every command with LOADING.
    return { ready: false, detail: message(cause ?? err) };
  } finally {
    client.disconnect();
  }
}

export async function probeHttpHealth(url: string): Promise<Probe> {
  try {
    const { status } = await get(url, 3000);
    return status === 200 ? { ready: true, detail: 'health 200' } : { ready: false, detail: `health HTTP ${status}` };
  } catch (err) {
    return { ready: false, detail: unreachableReason(err) };
  }
}
