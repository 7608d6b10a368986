/**
 * Readiness probes: each asks the real server a real question (SELECT 1, cluster health,
 * broker metadata, the plugin list) and never throws.
 */
import { Kafka, logLevel } from 'kafkajs';
import mysql from 'mysql2/promise';
import pg from 'pg';

export interface Probe {
  ready: boolean;
  /** Why not ready (last error), or what answered. */
  detail?: string;
  /** Answered, but in a way that waiting will not fix: stop waiting and fail with this. */
  fatal?: string;
}

function message(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) return message(err.errors[0]);
  // fetch() says only "fetch failed"; the reason (ECONNREFUSED, …) is its cause
  if (err instanceof TypeError && err.cause) return message(err.cause);
  if (err instanceof Error) return (err as NodeJS.ErrnoException).code ? `${(err as NodeJS.ErrnoException).code}: ${err.message}` : err.message;
  return String(err);
}

/** GET `url` (JSON), with a per-request timeout. */
export async function httpGet(url: string, timeoutMs = 3000): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
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

export async function probeElasticsearch(url: string): Promise<Probe> {
  try {
    const { status, body } = await httpGet(`${url}/_cluster/health?timeout=2s`, 5000);
    const health = (body as { status?: string }).status;
    if (status === 200 && (health === 'green' || health === 'yellow')) return { ready: true, detail: `cluster ${health}` };
    return { ready: false, detail: `HTTP ${status}, cluster ${health ?? 'unknown'}` };
  } catch (err) {
    return { ready: false, detail: message(err) };
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
    const plugins = await httpGet(`${url}/connector-plugins`, 5000);
    if (plugins.status !== 200 || !Array.isArray(plugins.body)) return { ready: false, detail: `GET /connector-plugins: HTTP ${plugins.status}` };
    const classes = new Set((plugins.body as Array<{ class?: string }>).map((p) => p.class));
    const missing = required.filter((c) => !classes.has(c));
    // The REST server starts after plugin scanning, so a list without them stays without them.
    if (missing.length > 0) return { ready: false, fatal: `Connect plugins missing: ${missing.join(', ')}` };
    const connectors = await httpGet(`${url}/connectors`, 5000);
    if (connectors.status !== 200) return { ready: false, detail: `GET /connectors: HTTP ${connectors.status} (worker still joining its group)` };
    return { ready: true, detail: `${classes.size} connector plugins` };
  } catch (err) {
    return { ready: false, detail: message(err) };
  }
}

export async function probeHttpHealth(url: string): Promise<Probe> {
  try {
    const { status } = await httpGet(url, 3000);
    return status === 200 ? { ready: true, detail: 'health 200' } : { ready: false, detail: `health HTTP ${status}` };
  } catch (err) {
    return { ready: false, detail: message(err) };
  }
}
