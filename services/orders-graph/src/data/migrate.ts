import type { Logger } from '@oms/service-kit';
import { migratePg, type Migration } from '@oms/service-kit/pg';
import type pg from 'pg';

export { ensurePgDatabase as ensureDatabase, type PgConnection } from '@oms/service-kit/pg';

/**
 * The read model. Written by the Debezium JDBC sink (upsert by id, `schema.evolution: none`)
 * from topic `orders-graph`, whose record fields become these column names: do not rename them.
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

/**
 * Partial, case-insensitive name matching (`LIKE '%x%'`) can only use a trigram index.
 * pg_trgm is a contrib extension (trusted since PG 13, so a database owner may create it);
 * when it is missing or not allowed, a pattern-ops index at least serves prefix matches. The
 * block's exception handler is a savepoint: the failed attempt leaves nothing behind, and
 * the warning it raises is logged by the migration runner.
 */
const NAME_INDEX_DDL = `DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS pg_trgm;
  CREATE INDEX IF NOT EXISTS orders_customer_name_trgm_idx ON orders USING gin (lower(customer_name) gin_trgm_ops);
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'pg_trgm unavailable (%); the customer name filter gets a prefix-only index', SQLERRM;
  CREATE INDEX IF NOT EXISTS orders_customer_name_lower_idx ON orders (lower(customer_name) text_pattern_ops);
END
$$`;

/**
 * Shipping's events as topic `shipment-events` delivers them, written by orders-graph's own
 * consumer (not the sink). The primary key is the shipment's stream position, so a redelivered
 * event is a no-op insert (`ON CONFLICT DO NOTHING`) and arrival order does not matter; orders
 * read them through `ORDER_COLUMNS` and fold them (domain/shipment.ts).
 */
export const SHIPMENT_EVENTS_DDL = `CREATE TABLE shipment_events (
  order_id    TEXT        NOT NULL,
  version     INTEGER     NOT NULL,
  event_id    UUID        NOT NULL,
  type        TEXT        NOT NULL,
  data        JSONB       NOT NULL,
  occurred_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (order_id, version)
)`;

/**
 * The read model's schema, versioned (see `applyMigrations` in service-kit): applied in order
 * in one transaction each, recorded in `schema_migrations`, never edited once released. 0001 is
 * the schema as the service created it before migrations were versioned (`IF NOT EXISTS`
 * throughout), so on a database built back then it changes nothing and is recorded.
 */
export const ORDERS_GRAPH_MIGRATIONS: readonly Migration[] = [
  { name: '0001-initial-schema', statements: [ORDERS_TABLE_DDL, ...ORDERS_INDEX_DDL, NAME_INDEX_DDL] },
  {
    // Cancelled orders. The columns must exist before the first record carrying the fields
    // reaches the sink (it alters nothing itself); rows written before are placed orders.
    name: '0002-order-status',
    statements: [`ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'placed', ADD COLUMN cancelled_at TIMESTAMPTZ`],
  },
  { name: '0003-shipment-events', statements: [SHIPMENT_EVENTS_DDL] },
];

/** Applies the pending migrations; safe to run at every start and from two instances at once. */
export async function migrate(pool: pg.Pool, logger: Logger): Promise<string[]> {
  return migratePg(pool, ORDERS_GRAPH_MIGRATIONS, logger);
}
