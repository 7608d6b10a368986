import type { Logger } from '@oms/service-kit';
import { migrateMysql, type Migration, type MysqlPool } from '@oms/service-kit/mysql';

export { createMysqlPool as createPool, ensureDatabase, type MysqlTarget } from '@oms/service-kit/mysql';

/** Table names are constants; SQL never interpolates anything else. */
export const CUSTOMER_TABLE = 'customer';
export const ADDRESS_TABLE = 'address';

/**
 * The schema, versioned (see `applyMigrations` in service-kit): applied in order, recorded in
 * `schema_migrations`, never edited once released — a change is a new migration. Every table
 * has a PRIMARY KEY and is InnoDB/utf8mb4 because Debezium captures these tables from the
 * binlog. Column widths match FIELD_LIMITS in domain/customer.ts.
 *
 * 0001 is the schema as the service created it before migrations were versioned (`CREATE
 * TABLE IF NOT EXISTS`), so on a database built back then it changes nothing and is recorded:
 * existing demo data is adopted as it is.
 */
export const CUSTOMERS_MIGRATIONS: readonly Migration[] = [
  {
    name: '0001-initial-schema',
    statements: [
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
    ],
  },
];

/** Applies the pending migrations; safe to run at every start. */
export async function migrate(pool: MysqlPool, logger?: Logger): Promise<string[]> {
  return migrateMysql(pool, CUSTOMERS_MIGRATIONS, logger);
}
