import pg from 'pg';
import type { Logger } from 'pino';
import { z } from 'zod';
import { envPort } from './config.js';
import type { DependencyStep } from './dependencies.js';
import { silentLogger } from './logger.js';
import { applyMigrations, databaseDependency, MIGRATIONS_TABLE, type AppliedMigration, type Migration, type MigrationContext, type MigrationStorage } from './migrations.js';

// The migration API comes with each driver entry, so a service imports one module for its database.
export * from './migrations.js';

/** Where a service's PostgreSQL database lives; `database` is created when missing. */
export interface PgConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/**
 * Creates the database when it is missing; one attempt (the start-up policy retries). Resolves
 * true when it created it. Connects to the `postgres` maintenance database, because one cannot
 * connect to a database that does not exist yet.
 */
export async function ensurePgDatabase(conn: PgConnection): Promise<boolean> {
  const client = new pg.Client({ ...conn, database: 'postgres', connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [conn.database]);
    if (rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(conn.database)}`);
      return true;
    } catch (err) {
      // 42P04 duplicate_database: another instance won the race; the database exists, as wanted.
      if ((err as { code?: string }).code === '42P04') return false;
      throw err;
    }
  } finally {
    await client.end();
  }
}

/**
 * A pool on the database. Creating it connects to nothing; an idle client that loses its
 * connection is logged rather than left to crash the process. `applicationName` shows in
 * `pg_stat_activity`, so a service's connections (and open transactions) can be told apart.
 * `statementTimeoutMs` makes PostgreSQL cancel any statement that runs longer (error 57014);
 * migrations are exempt (see {@link PgMigrationStorage}).
 *
 * Every wait is bounded, so a request meets a 503 rather than hanging while PostgreSQL is
 * down or stuck: 5 s to get a connection (connecting, or waiting for a free one), and
 * `queryTimeoutMs` (default 15 s) for an answer to a query.
 */
export function createPgPool(
  conn: PgConnection,
  logger: Logger,
  {
    max = 10,
    applicationName,
    statementTimeoutMs,
    queryTimeoutMs = 15_000,
  }: { max?: number; applicationName?: string; statementTimeoutMs?: number; queryTimeoutMs?: number } = {},
): pg.Pool {
  const pool = new pg.Pool({
    ...conn,
    max,
    connectionTimeoutMillis: 5_000,
    query_timeout: queryTimeoutMs,
    application_name: applicationName,
    ...(statementTimeoutMs === undefined ? {} : { statement_timeout: statementTimeoutMs }),
  });
  pool.on('error', (err) => logger.warn({ err }, 'idle PostgreSQL connection failed'));
  return pool;
}

/** Any constant works; it only has to be the same for every instance migrating a database. */
const MIGRATION_LOCK_KEY = 4_000_001;
/** How long an instance waits for another one's migrations before its attempt fails (and is retried). */
const LOCK_TIMEOUT = '60s';

/**
 * {@link MigrationStorage} on one pg client. Each migration runs in a transaction (PostgreSQL
 * DDL is transactional); the lock is a session advisory lock. Notices a migration raises
 * (e.g. a fallback it took) are logged as warnings.
 */
export class PgMigrationStorage implements MigrationStorage {
  constructor(
    private readonly client: pg.PoolClient,
    private readonly logger: Logger,
  ) {}

  async ensureTable(): Promise<void> {
    await this.client.query(
      `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (
        name       TEXT PRIMARY KEY,
        checksum   TEXT NOT NULL,
        applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
      )`,
    );
  }

  async applied(): Promise<AppliedMigration[]> {
    const { rows } = await this.client.query<AppliedMigration>(`SELECT name, checksum FROM ${MIGRATIONS_TABLE} ORDER BY name`);
    return rows;
  }

  async executed(): Promise<string[]> {
    return (await this.applied()).map((m) => m.name);
  }

  async logMigration({ name, context }: { name: string; context: MigrationContext }): Promise<void> {
    await this.client.query(`INSERT INTO ${MIGRATIONS_TABLE} (name, checksum) VALUES ($1, $2)`, [name, context.checksums.get(name)]);
  }

  async unlogMigration({ name }: { name: string }): Promise<void> {
    await this.client.query(`DELETE FROM ${MIGRATIONS_TABLE} WHERE name = $1`, [name]);
  }

  async run(migration: Migration): Promise<void> {
    const onNotice = (notice: { message?: string }) => this.logger.warn({ migration: migration.name, notice: notice.message }, 'PostgreSQL notice while migrating');
    this.client.on('notice', onNotice);
    try {
      await this.client.query('BEGIN');
      for (const statement of migration.statements) await this.client.query(statement);
      await this.client.query('COMMIT');
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      this.client.off('notice', onNotice);
    }
  }

  async withLock<T>(work: () => Promise<T>): Promise<T> {
    // A pool's statement timeout is for requests; a migration (an index build) may take longer.
    await this.client.query('SET statement_timeout = 0');
    await this.client.query(`SET lock_timeout = '${LOCK_TIMEOUT}'`);
    await this.client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      return await work();
    } finally {
      await this.client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
      await this.client.query('RESET lock_timeout').catch(() => undefined);
      await this.client.query('RESET statement_timeout').catch(() => undefined);
    }
  }
}

/** Applies the pending migrations in `list` to the pool's database (see `applyMigrations`); returns the names applied. */
export async function migratePg(pool: pg.Pool, list: readonly Migration[], logger: Logger = silentLogger()): Promise<string[]> {
  const client = await pool.connect();
  try {
    return await applyMigrations(new PgMigrationStorage(client, logger), list, logger);
  } finally {
    client.release();
  }
}

/** The start-up step of a PostgreSQL service: create its database if missing, then migrate (see `databaseDependency`). */
export function pgDependency(conn: PgConnection, pool: pg.Pool, list: readonly Migration[], logger: Logger): DependencyStep {
  return databaseDependency({
    dependency: 'postgres',
    target: `PostgreSQL at ${conn.host}:${conn.port} (database ${conn.database})`,
    database: conn.database,
    ensureDatabase: async () => {
      if (await ensurePgDatabase(conn)) logger.info({ database: conn.database }, 'database created');
    },
    migrate: () => migratePg(pool, list, logger),
    logger,
  });
}

/** The PG_* variables of a service whose own database is `database` by default. */
export function pgEnv(database: string) {
  return {
    PG_HOST: z.string().min(1).default('127.0.0.1'),
    PG_PORT: envPort(5432),
    PG_USER: z.string().min(1).default('oms'),
    PG_PASSWORD: z.string().default('oms'),
    PG_DATABASE: z.string().min(1).max(63).default(database),
  };
}

/** The connection described by parsed {@link pgEnv} variables. */
export function pgConnection(config: { PG_HOST: string; PG_PORT: number; PG_USER: string; PG_PASSWORD: string; PG_DATABASE: string }): PgConnection {
  return { host: config.PG_HOST, port: config.PG_PORT, user: config.PG_USER, password: config.PG_PASSWORD, database: config.PG_DATABASE };
}
