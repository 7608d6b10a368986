import { DependencyUnavailableError } from './errors.js';

/** How long a client should wait before retrying when a dependency is down: most restart within seconds. */
export const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Socket failures: the peer is gone, refuses, or does not answer in time. */
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNABORTED']);

/** mysql2's codes for a lost, refused or full server (besides the socket codes it marks `fatal`). */
const MYSQL_CODES = new Set(['PROTOCOL_CONNECTION_LOST', 'PROTOCOL_SEQUENCE_TIMEOUT', 'ER_CON_COUNT_ERROR', 'ER_SERVER_SHUTDOWN', 'ER_SERVER_SHUTDOWN_COMPLETE', 'ER_NORMAL_SHUTDOWN']);

/**
 * pg's own wording when the server went away or a wait for a connection ran out; these are
 * plain `Error`s without a code, so the message is all there is to go by.
 */
const PG_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Client has encountered a connection error and is not queryable/,
  /^Query read timeout/,
  /^Client was closed and is not queryable/,
];

/** ioredis' wording while its connection is down or a command ran out of time. */
const REDIS_MESSAGES = [/^Connection is closed/, /^Stream isn't writeable/, /^Command timed out/, /^Reached the max retries per request limit/];

/** Elasticsearch client errors that mean "no usable answer" (@elastic/transport's names). */
const ELASTICSEARCH_NAMES = new Set(['ConnectionError', 'NoLivingConnectionsError', 'TimeoutError']);

interface DriverErrorShape {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  /** mysql2 marks errors that broke the connection. */
  fatal?: unknown;
  /** mysql2 server errors carry the SQLSTATE. */
  sqlState?: unknown;
  /** pg's DatabaseError carries the severity. */
  severity?: unknown;
  /** @elastic/transport errors carry the request's metadata. */
  meta?: { statusCode?: unknown } | null;
  /** kafkajs errors say whether a retry can help. */
  retriable?: unknown;
}

/**
 * Recognises a driver error that means "the dependency cannot answer now" (down, restarting,
 * refusing, too slow) rather than "this request is wrong", and names the dependency:
 *
 * - mysql2 (`mariadb`): a fatal connection error, `PROTOCOL_CONNECTION_LOST`, a full or
 *   shutting-down server;
 * - pg (`postgres`): SQLSTATE class 08 (connection) and 57P01/57P02/57P03 (shutdown, crash,
 *   cannot connect now), 53300 (too many connections), and pg's messages for a dropped
 *   connection or a connection wait that timed out;
 * - Elasticsearch (`elasticsearch`): a connection error, no living connection, a request
 *   timeout, or a 429/502/503/504 answer;
 * - ioredis (`redis`): its connection-closed and command-timeout errors;
 * - kafkajs (`kafka`): a retriable KafkaJS error, or one whose retries ran out;
 * - a bare socket error (ECONNREFUSED, ECONNRESET, ETIMEDOUT, …): `fallback`, the service's
 *   main store, when given.
 *
 * A {@link DependencyUnavailableError} is returned as it is; anything else gives `undefined`.
 * The reason is the driver's code or name only: never a host, a port or SQL.
 */
export function asDependencyUnavailable(err: unknown, fallback?: string): DependencyUnavailableError | undefined {
  if (err instanceof DependencyUnavailableError) return err;
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as DriverErrorShape;
  const name = typeof e.name === 'string' ? e.name : '';
  const message = typeof e.message === 'string' ? e.message : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const unavailable = (dependency: string, reason: string) => new DependencyUnavailableError(dependency, reason);

  if (name.startsWith('KafkaJS')) {
    if (e.retriable === true || name === 'KafkaJSNumberOfRetriesExceeded' || name === 'KafkaJSConnectionError' || name === 'KafkaJSRequestTimeoutError') {
      return unavailable('kafka', name);
    }
    return undefined;
  }
  if (e.meta !== undefined && e.meta !== null && typeof e.meta === 'object') {
    if (ELASTICSEARCH_NAMES.has(name)) return unavailable('elasticsearch', name);
    const status = e.meta.statusCode;
    if (name === 'ResponseError' && (status === 429 || status === 502 || status === 503 || status === 504)) return unavailable('elasticsearch', `answered ${status}`);
    return undefined;
  }
  if (typeof e.severity === 'string' && /^\d{2}[0-9A-Z]{3}$/.test(code)) {
    if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return unavailable('postgres', `SQLSTATE ${code}`);
    return undefined;
  }
  if (PG_MESSAGES.some((re) => re.test(message))) return unavailable('postgres', message.replace(/:.*$/, ''));
  if (MYSQL_CODES.has(code)) return unavailable('mariadb', code);
  if (e.fatal === true && typeof e.sqlState !== 'string' && SOCKET_CODES.has(code)) return unavailable('mariadb', code);
  if (e.fatal === true && code === '') return unavailable('mariadb', message.replace(/:.*$/, '') || 'connection lost');
  if (name === 'MaxRetriesPerRequestError' || REDIS_MESSAGES.some((re) => re.test(message))) return unavailable('redis', message.replace(/[:.].*$/, ''));
  if (fallback && SOCKET_CODES.has(code)) return unavailable(fallback, code);
  return undefined;
}
