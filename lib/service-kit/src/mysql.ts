import mysql, { type Pool } from 'mysql2/promise';
import type { Logger } from 'pino';
import { z } from 'zod';
import { envPort } from './config.js';

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

/** The MYSQL_* variables of a service whose own database is `database` by default. */
export function mysqlEnv(database: string) {
  return {
    MYSQL_HOST: z.string().min(1).default('127.0.0.1'),
    MYSQL_PORT: envPort(3306),
    MYSQL_USER: z.string().min(1).default('oms'),
    MYSQL_PASSWORD: z.string().default('oms'),
    // The database name becomes an identifier in CREATE DATABASE, so keep it to a safe alphabet.
    MYSQL_DATABASE: z
      .string()
      .regex(/^[A-Za-z0-9_]{1,64}$/, 'letters, digits and underscores only')
      .default(database),
  };
}

/** The target described by parsed {@link mysqlEnv} variables. */
export function mysqlTarget(config: { MYSQL_HOST: string; MYSQL_PORT: number; MYSQL_USER: string; MYSQL_PASSWORD: string; MYSQL_DATABASE: string }): MysqlTarget {
  return { host: config.MYSQL_HOST, port: config.MYSQL_PORT, user: config.MYSQL_USER, password: config.MYSQL_PASSWORD, database: config.MYSQL_DATABASE };
}

// `oms up` may start a service while MariaDB is still booting; wait this long for it.
const DATABASE_WAIT_MS = 30_000;

/**
 * A service's start-up against its database: create it if missing (waiting for a booting
 * server), open the pool, apply the idempotent DDL. An unreachable server is logged and exits 1.
 */
export async function openMysql(target: MysqlTarget, ddl: readonly string[], logger: Logger): Promise<Pool> {
  try {
    await ensureDatabase(target, { waitMs: DATABASE_WAIT_MS });
  } catch (err) {
    logger.fatal({ err, host: target.host, port: target.port }, `cannot reach MariaDB at ${target.host}:${target.port}`);
    process.exit(1);
  }
  const pool = createMysqlPool(target);
  await migrateMysql(pool, ddl);
  logger.info({ database: target.database }, 'schema ready');
  return pool;
}
