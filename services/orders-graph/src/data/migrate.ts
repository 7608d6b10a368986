import pg from 'pg';
import type { Logger } from '@oms/service-kit';

/** Where to reach PostgreSQL; `database` is the one to create and migrate. */
export interface PgConnection {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

/**
 * The read model. Written by the Debezium JDBC sink (upsert by id) from topic
 * `orders-graph`, whose record fields become these column names: do not rename them.
 */
export const ORDERS_TABLE_DDL = `CREATE TABLE IF NOT EXISTS orders (
  id             TEXT PRIMARY KEY,
  customer_id    TEXT,
  customer_name  TEXT,
  customer_email TEXT,
  customer       JSONB,
  items          JSONB,
  total          NUMERIC(14,2),
  created_at     TIMESTAMPTZ,
  updated_at     TIMESTAMPTZ
)`;

/** Indexes behind the `orders` filters and its sort; each matches an expression in order-query.ts. */
export const ORDERS_INDEX_DDL = [
  'CREATE INDEX IF NOT EXISTS orders_created_at_id_idx ON orders (created_at DESC, id)',
  'CREATE INDEX IF NOT EXISTS orders_customer_email_lower_idx ON orders (lower(customer_email))',
];

/** Partial, case-insensitive name matching (`LIKE '%x%'`) can only use a trigram index. */
const NAME_TRGM_INDEX_DDL =
  'CREATE INDEX IF NOT EXISTS orders_customer_name_trgm_idx ON orders USING gin (lower(customer_name) gin_trgm_ops)';
/** Without pg_trgm, a pattern-ops index at least serves prefix matches. */
const NAME_BTREE_INDEX_DDL =
  'CREATE INDEX IF NOT EXISTS orders_customer_name_lower_idx ON orders (lower(customer_name) text_pattern_ops)';

/** Any constant works; it only has to be the same for every instance of this service. */
const MIGRATION_LOCK_KEY = 4_000_001;

/**
 * Creates the database when it is missing. Connects to the `postgres` maintenance database,
 * because one cannot connect to a database that does not exist yet.
 */
export async function ensureDatabase(conn: PgConnection): Promise<boolean> {
  const client = new pg.Client({ ...conn, database: 'postgres' });
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
 * Creates table `orders` and its indexes if missing. Idempotent; an advisory lock keeps two
 * instances starting together from racing on the catalog.
 */
export async function migrate(pool: pg.Pool, logger: Logger): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await client.query(ORDERS_TABLE_DDL);
    for (const ddl of ORDERS_INDEX_DDL) await client.query(ddl);
    await createNameIndex(client, logger);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * pg_trgm is a contrib extension (trusted since PG 13, so a database owner may create it).
 * When it is missing or not allowed, degrade to a prefix-only index rather than refuse to
 * start; the savepoint keeps the failed attempt from aborting the migration transaction.
 */
async function createNameIndex(client: pg.PoolClient, logger: Logger): Promise<void> {
  await client.query('SAVEPOINT name_index');
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_trgm');
    await client.query(NAME_TRGM_INDEX_DDL);
  } catch (err) {
    await client.query('ROLLBACK TO SAVEPOINT name_index');
    logger.warn({ err }, 'pg_trgm unavailable; the customer name filter gets a prefix-only index');
    await client.query(NAME_BTREE_INDEX_DDL);
  }
}
