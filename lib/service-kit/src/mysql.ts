import mysql, { type FieldPacket, type Pool, type PoolConnection, type QueryResult, type QueryValues, type RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import { z } from 'zod';
import { envPort } from './config.js';
import { DependencyUnavailableError } from './errors.js';
import { silentLogger } from './logger.js';
import type { DependencyStep } from './dependencies.js';
import { applyMigrations, databaseDependency, MIGRATIONS_TABLE, type AppliedMigration, type Migration, type MigrationContext, type MigrationStorage } from './migrations.js';

// The migration API comes with each driver entry, so a service imports one module for its database.
export * from './migrations.js';

/** Where a service's MySQL/MariaDB database lives; `database` is created when missing. */
export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/**
 * Creates the database if it is missing; one attempt (the start-up policy retries). Connects
 * without a default database because a pool cannot connect to a database that does not exist yet.
 */
export async function ensureDatabase(target: MysqlTarget): Promise<void> {
  const connection = await mysql.createConnection({ host: target.host, port: target.port, user: target.user, password: target.password, connectTimeout: 5000 });
  try {
    // `??` is mysql2's escaped identifier placeholder: the name is never spliced in by hand.
    await connection.query('CREATE DATABASE IF NOT EXISTS ?? CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci', [target.database]);
  } finally {
    await connection.end();
  }
}

/** How long a MariaDB call may wait; see {@link MysqlPool}. */
export interface MysqlLimits {
  /** For a connection: a free one from the pool, or a new one's handshake. Default 5 s. */
  acquireTimeoutMs?: number;
  /** For the answer to one statement. Default 10 s. */
  queryTimeoutMs?: number;
  /** Connections kept at most. Default 10. */
  connectionLimit?: number;
}

/** mysql2's code for a statement that got no answer within its `timeout`. */
const QUERY_TIMEOUT_CODE = 'PROTOCOL_SEQUENCE_TIMEOUT';

/**
 * A pool on the target database whose every wait is bounded, so a request meets a 503 rather
 * than hanging while MariaDB is down, restarting or stuck (stopped, a full disk, a lock):
 *
 * - getting a connection (a free one, or a new one's handshake) takes at most
 *   `acquireTimeoutMs`, else a {@link DependencyUnavailableError} (`mariadb`);
 * - a statement gets at most `queryTimeoutMs` for its answer, else mysql2's
 *   `PROTOCOL_SEQUENCE_TIMEOUT` error (which `asDependencyUnavailable` maps to `mariadb`), and
 *   its connection is destroyed: mysql2 only fails the call and leaves the connection waiting
 *   for the answer, where the next statement would queue behind it and the pool would fill up
 *   with stuck connections.
 *
 * A refused connection fails at once; a connection the server dropped is left out of the
 * pool, so the pool reconnects by itself when the server is back; keep-alive notices a
 * silently dead peer. `timezone: 'Z'` keeps DATETIME values in UTC both ways. Creating it
 * connects to nothing.
 */
export class MysqlPool {
  /** mysql2's pool, without the bounds: migrations, which may rightly run long, use it. */
  readonly unbounded: Pool;
  private readonly acquireTimeoutMs: number;
  private readonly queryTimeoutMs: number;

  constructor(target: MysqlTarget, { acquireTimeoutMs = 5_000, queryTimeoutMs = 10_000, connectionLimit = 10 }: MysqlLimits = {}) {
    this.acquireTimeoutMs = acquireTimeoutMs;
    this.queryTimeoutMs = queryTimeoutMs;
    this.unbounded = mysql.createPool({
      host: target.host,
      port: target.port,
      user: target.user,
      password: target.password,
      database: target.database,
      timezone: 'Z',
      charset: 'UTF8MB4_UNICODE_CI',
      connectionLimit,
      connectTimeout: acquireTimeoutMs,
      enableKeepAlive: true,
      // mysql2 captures a stack trace at every call (to show the caller in an error's stack):
      // 4% of the orders service's CPU under load (a CPU profile at 50 orders/s, 2026-11-29).
      // Errors keep their code and message, which is what we map and log.
      trace: false,
    });
  }

  /** One statement on a pooled connection (see {@link MysqlConnection.query}). */
  async query<T extends QueryResult>(sql: string, values?: QueryValues): Promise<[T, FieldPacket[]]> {
    const connection = await this.getConnection();
    try {
      return await connection.query<T>(sql, values);
    } finally {
      connection.release();
    }
  }

  /** A connection of its own, for a transaction; `release()` it when done. */
  async getConnection(): Promise<MysqlConnection> {
    let timer: NodeJS.Timeout | undefined;
    const pending = this.unbounded.getConnection();
    const gaveUp = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // The connection may still come once we gave up on it: back to the pool with it then.
        pending.then((c) => c.release(), () => undefined);
        reject(new DependencyUnavailableError('mariadb', `no connection within ${this.acquireTimeoutMs} ms`));
      }, this.acquireTimeoutMs);
    });
    try {
      return new MysqlConnection(await Promise.race([pending, gaveUp]), this.queryTimeoutMs);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Closes every connection. */
  async end(): Promise<void> {
    await this.unbounded.end();
  }
}

/** A pooled connection whose statements are bounded like {@link MysqlPool}'s. */
export class MysqlConnection {
  private destroyed = false;

  constructor(
    private readonly connection: PoolConnection,
    private readonly queryTimeoutMs: number,
  ) {}

  /** One statement, answered within the query timeout or failed (and the connection dropped). */
  async query<T extends QueryResult>(sql: string, values?: QueryValues): Promise<[T, FieldPacket[]]> {
    try {
      return await this.connection.query<T>({ sql, timeout: this.queryTimeoutMs }, values);
    } catch (err) {
      if ((err as { code?: unknown }).code === QUERY_TIMEOUT_CODE) this.destroy();
      throw err;
    }
  }

  async beginTransaction(): Promise<void> {
    await this.query('START TRANSACTION');
  }

  async commit(): Promise<void> {
    await this.query('COMMIT');
  }

  async rollback(): Promise<void> {
    await this.query('ROLLBACK');
  }

  /** Back to the pool, unless a timeout destroyed it (the pool has already let it go). */
  release(): void {
    if (!this.destroyed) this.connection.release();
  }

  private destroy(): void {
    this.destroyed = true;
    this.connection.destroy();
  }
}

/** A {@link MysqlPool} on the target database. */
export function createMysqlPool(target: MysqlTarget, limits?: MysqlLimits): MysqlPool {
  return new MysqlPool(target, limits);
}

/** How long an instance waits for another one's migrations before its attempt fails (and is retried). */
const LOCK_WAIT_SECONDS = 60;

/** {@link MigrationStorage} on one mysql2 connection; the lock is MySQL's GET_LOCK, per database. */
export class MysqlMigrationStorage implements MigrationStorage {
  constructor(
    private readonly connection: PoolConnection,
    private readonly database: string,
  ) {}

  async ensureTable(): Promise<void> {
    await this.connection.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
        name VARCHAR(190) NOT NULL,
        checksum CHAR(64) NOT NULL,
        applied_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
        PRIMARY KEY (name)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    );
  }

  async applied(): Promise<AppliedMigration[]> {
    const [rows] = await this.connection.query<Array<RowDataPacket & AppliedMigration>>(`SELECT name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY name`);
    return rows.map(({ name, checksum }) => ({ name, checksum }));
  }

  async executed(): Promise<string[]> {
    return (await this.applied()).map((m) => m.name);
  }

  async logMigration({ name, context }: { name: string; context: MigrationContext }): Promise<void> {
    await this.connection.query(`INSERT INTO ${MIGRATIONS_TABLE} (name, checksum) VALUES (?, ?)`, [name, context.checksums.get(name)]);
  }

  async unlogMigration({ name }: { name: string }): Promise<void> {
    await this.connection.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = ?`, [name]);
  }

  async run(migration: Migration): Promise<void> {
    for (const statement of migration.statements) await this.connection.query(statement);
  }

  async withLock<T>(work: () => Promise<T>): Promise<T> {
    // Lock names are server-wide: qualify by database so services sharing a server do not wait on each other.
    const lock = `oms-migrations:${this.database}`;
    const [[row]] = await this.connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS got', [lock, LOCK_WAIT_SECONDS]);
    if (Number(row?.got) !== 1) throw new Error(`another instance has been migrating database ${this.database} for ${LOCK_WAIT_SECONDS} s`);
    try {
      return await work();
    } finally {
      await this.connection.query('SELECT RELEASE_LOCK(?)', [lock]).catch(() => undefined);
    }
  }
}

/** Applies the pending migrations in `list` to the pool's database (see `applyMigrations`); returns the names applied. */
export async function migrateMysql(pool: MysqlPool, list: readonly Migration[], logger: Logger = silentLogger()): Promise<string[]> {
  const connection = await pool.unbounded.getConnection();
  try {
    const [[row]] = await connection.query<RowDataPacket[]>('SELECT DATABASE() AS db');
    const database = String(row?.db ?? '');
    if (!database) throw new Error('the pool has no default database to migrate');
    return await applyMigrations(new MysqlMigrationStorage(connection, database), list, logger);
  } finally {
    connection.release();
  }
}

/** The start-up step of a MariaDB service: create its database if missing, then migrate (see `databaseDependency`). */
export function mysqlDependency(target: MysqlTarget, pool: MysqlPool, list: readonly Migration[], logger: Logger): DependencyStep {
  return databaseDependency({
    dependency: 'mariadb',
    target: `MariaDB at ${target.host}:${target.port} (database ${target.database})`,
    database: target.database,
    ensureDatabase: () => ensureDatabase(target),
    migrate: () => migrateMysql(pool, list, logger),
    logger,
  });
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
