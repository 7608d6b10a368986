import mysql, { type Pool } from 'mysql2/promise';

/** Where a service's MySQL/MariaDB database lives; `database` is created when missing. */
export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** Connection errors worth waiting out at start-up (the server may still be booting). */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN']);

export interface EnsureDatabaseOptions {
  /** How long to keep retrying while the server refuses connections. */
  waitMs?: number;
  retryDelayMs?: number;
}

/**
 * Creates the database if it is missing. Connects without a default database because a
 * pool cannot connect to a database that does not exist yet.
 */
export async function ensureDatabase(target: MysqlTarget, { waitMs = 0, retryDelayMs = 500 }: EnsureDatabaseOptions = {}): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const connection = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password, connectTimeout: 5000 });
      try {
        // `??` is mysql2's escaped identifier placeholder: the name is never spliced in by hand.
        await connection.query('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [target.database]);
      } finally {
        await connection.end();
      }
      return;
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      if (!TRANSIENT_CODES.has(code) || Date.now() + retryDelayMs > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, retryDelayMs));
    }
  }
}

/**
 * A pool on the target database. `timezone: 'Z'` keeps DATETIME values in UTC both ways, so
 * timestamps do not shift with the host's time zone.
 */
export function createMysqlPool(target: MysqlTarget): Pool {
  return mysql.createPool({
    host: target.host,
    port: target.port,
    user: target.user,
    password: target.password,
    database: target.database,
    timezone: 'Z',
    charset: 'UTF8MB4_UNICODE_CI',
    connectionLimit: 10,
    connectTimeout: 5000,
    enableKeepAlive: true,
  });
}

/** Runs idempotent DDL statements in order; safe at every start. */
export async function migrateMysql(pool: Pool, ddl: readonly string[]): Promise<void> {
  for (const statement of ddl) await pool.query(statement);
}
