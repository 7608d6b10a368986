import mysql, { type Pool, type PoolConnection, type RowDataPacket } from 'mysql2/promise';
import type { Logger } from 'pino';
import { z } from 'zod';
import { envPort } from './config.js';
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

/**
 * A pool on the target database. `timezone: 'Z'` keeps DATETIME values in UTC both ways, so
 * timestamps do not shift with the host's time zone. Creating it connects to nothing.
 *
 * While MariaDB is down a query fails at once (a refused connection) or after the 5 s connect
 * timeout (no answer); a connection the server dropped is left out of the pool, so the pool
 * reconnects by itself when the server is back. Keep-alive notices a silently dead peer.
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
export async function migrateMysql(pool: Pool, list: readonly Migration[], logger: Logger = silentLogger()): Promise<string[]> {
  const connection = await pool.getConnection();
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
export function mysqlDependency(target: MysqlTarget, pool: Pool, list: readonly Migration[], logger: Logger): DependencyStep {
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
