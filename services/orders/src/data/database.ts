import type { Logger } from '@oms/service-kit';
import { migrateMysql, type Migration, type MysqlPool } from '@oms/service-kit/mysql';

export { createMysqlPool as createPool, ensureDatabase, type MysqlTarget } from '@oms/service-kit/mysql';

/** Table names are constants. `order` is a reserved word, so the constant carries its backticks. */
export const ORDER_TABLE = '`order`';
export const ORDER_DETAIL_TABLE = 'order_detail';

/**
 * The schema, versioned (see `applyMigrations` in service-kit): applied in order, recorded in
 * `schema_migrations`, never edited once released — a change is a new migration. Every table
 * has a PRIMARY KEY and is InnoDB/utf8mb4 because Debezium captures these tables from the
 * binlog. `line_count` tells the stream processor how many detail rows make the order complete.
 *
 * 0001 is the schema as the service created it before migrations were versioned (`CREATE
 * TABLE IF NOT EXISTS`), so on a database built back then it changes nothing and is recorded.
 */
export const ORDERS_MIGRATIONS: readonly Migration[] = [
  {
    name: '0001-initial-schema',
    statements: [
      `CREATE TABLE IF NOT EXISTS ${ORDER_TABLE} (
        id CHAR(36) NOT NULL,
        customer_id CHAR(36) NOT NULL,
        line_count INT NOT NULL,
        created_at DATETIME(3) NOT NULL,
        updated_at DATETIME(3) NOT NULL,
        PRIMARY KEY (id),
        KEY ix_order_customer (customer_id, created_at)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
      `CREATE TABLE IF NOT EXISTS ${ORDER_DETAIL_TABLE} (
        id CHAR(36) NOT NULL,
        order_id CHAR(36) NOT NULL,
        line_no INT NOT NULL,
        sku VARCHAR(100) NOT NULL,
        quantity INT NOT NULL,
        address_id CHAR(36) NOT NULL,
        PRIMARY KEY (id),
        UNIQUE KEY uq_order_detail_line (order_id, line_no),
        CONSTRAINT fk_order_detail_order FOREIGN KEY (order_id) REFERENCES ${ORDER_TABLE} (id)
      ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`,
    ],
  },
  {
    // Cancelling. Every change of an order rewrites its header and its lines with one
    // `updated_at`, so the lines carry it too: orders-stream takes one version of an order
    // (header + `line_count` lines of the same `updated_at`) as a whole.
    name: '0002-order-status',
    statements: [
      `ALTER TABLE ${ORDER_TABLE}
        ADD COLUMN status VARCHAR(16) NOT NULL DEFAULT 'placed' AFTER line_count,
        ADD COLUMN cancelled_at DATETIME(3) NULL AFTER status`,
      `ALTER TABLE ${ORDER_DETAIL_TABLE} ADD COLUMN updated_at DATETIME(3) NULL`,
    ],
  },
];

/** Applies the pending migrations; safe to run at every start. */
export async function migrate(pool: MysqlPool, logger?: Logger): Promise<string[]> {
  return migrateMysql(pool, ORDERS_MIGRATIONS, logger);
}
