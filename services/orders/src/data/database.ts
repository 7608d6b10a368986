import type { Pool } from 'mysql2/promise';
import { migrateMysql } from '@oms/service-kit/mysql';

export { createMysqlPool as createPool, ensureDatabase, type EnsureDatabaseOptions, type MysqlTarget } from '@oms/service-kit/mysql';

/** Table names are constants. `order` is a reserved word, so the constant carries its backticks. */
export const ORDER_TABLE = '`order`';
export const ORDER_DETAIL_TABLE = 'order_detail';

/**
 * Idempotent schema. Every table has a PRIMARY KEY and is InnoDB/utf8mb4 because Debezium
 * captures these tables from the binlog. `line_count` tells the stream processor how many
 * detail rows make the order complete.
 */
export const ORDERS_DDL: readonly string[] = [
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
];

/** Creates the tables if missing; safe to run at every start. */
export async function migrate(pool: Pool): Promise<void> {
  await migrateMysql(pool, ORDERS_DDL);
}
