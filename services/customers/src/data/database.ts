import mysql, { type Pool } from 'mysql2/promise';

/** Where the customers database lives; `database` is created when missing. */
export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/** Table names are constants; SQL never interpolates anything else. */
export const CUSTOMER_TABLE = 'customer';
export const ADDRESS_TABLE = 'address';

/**
 * Idempotent schema. Every table has a PRIMARY KEY and is InnoDB/utf8mb4 because Debezium
 * captures these tables from the binlog. Column widths match FIELD_LIMITS in domain/customer.ts.
 */
export const CUSTOMERS_DDL: readonly string[] = [
  `CREATE TABLE IF NOT EXISTS ${CUSTOMER_TABLE} (
    id CHAR(36) NOT NULL,
    name VARCHAR(100) NOT NULL,
    last_name VARCHAR(100) NOT NULL,
    email VARCHAR(254) NOT NULL,
    identity_document VARCHAR(50) NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at DATETIME(3) NOT NULL,
    updated_at DATETIME(3) NOT NULL,
    PRIMARY KEY (id),
    UNIQUE KEY uq_customer_email (email),
    KEY ix_customer_created (created_at, id)
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
  `CREATE TABLE IF NOT EXISTS ${ADDRESS_TABLE} (
    id CHAR(36) NOT NULL,
    customer_id CHAR(36) NOT NULL,
    street_type ENUM('STREET','LANE','BOULEVARD','AVENUE','COURT') NOT NULL,
    street_name VARCHAR(200) NOT NULL,
    street_number VARCHAR(20) NOT NULL,
    building_number VARCHAR(20) NULL,
    department_number VARCHAR(20) NULL,
    reference VARCHAR(500) NULL,
    latitude DECIMAL(9,6) NULL,
    longitude DECIMAL(9,6) NULL,
    PRIMARY KEY (id),
    KEY ix_address_customer (customer_id),
    CONSTRAINT fk_address_customer FOREIGN KEY (customer_id) REFERENCES ${CUSTOMER_TABLE} (id) ON DELETE CASCADE
  ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
];

/** Connection errors worth waiting out at start-up (MariaDB may still be booting). */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'PROTOCOL_CONNECTION_LOST', 'ER_SERVER_SHUTDOWN']);

export interface EnsureDatabaseOptions {
  /** How long to keep retrying while the server refuses connections. */
  waitMs?: number;
  retryDelayMs?: number;
}

/**
 * Creates the database if it is missing. Connects without a default database because the
 * pool cannot connect to a database that does not exist yet.
 */
export async function ensureDatabase(target: MysqlTarget, { waitMs = 0, retryDelayMs = 500 }: EnsureDatabaseOptions = {}): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const connection = await mysql.createConnection({
        host: target.host,
        port: target.port,
        user: target.user,
        password: target.password,
        connectTimeout: 5000,
      });
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
 * A pool on the customers database. `timezone: 'Z'` keeps DATETIME values in UTC both ways,
 * so timestamps do not shift with the host's time zone.
 */
export function createPool(target: MysqlTarget): Pool {
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

/** Creates the tables if missing; safe to run at every start. */
export async function migrate(pool: Pool): Promise<void> {
  for (const statement of CUSTOMERS_DDL) await pool.query(statement);
}
