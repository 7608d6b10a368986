import { createLogger } from '@oms/service-kit';
import { migratePg, type Migration } from '@oms/service-kit/pg';
import { dropPgDatabase } from '@oms/service-kit/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import { ensureDatabase, migrate, ORDERS_GRAPH_MIGRATIONS, ORDERS_INDEX_DDL, ORDERS_TABLE_DDL } from './migrate.js';
import { PgOrderRepository } from './order-repository.js';

// Its own database, rebuilt per run the way the service built it before migrations were versioned.
const DATABASE = 'orders_graph_migrations_test';
const { postgres } = testInfra();
const logger = createLogger('orders-graph-test', 'silent');
let pool: pg.Pool;

/** What every earlier version ran at start, recording nothing. */
const UNVERSIONED_SCHEMA = [
  ORDERS_TABLE_DDL,
  ...ORDERS_INDEX_DDL,
  'CREATE EXTENSION IF NOT EXISTS pg_trgm',
  'CREATE INDEX IF NOT EXISTS orders_customer_name_trgm_idx ON orders USING gin (lower(customer_name) gin_trgm_ops)',
];

async function columns(): Promise<string[]> {
  const { rows } = await pool.query<{ column_name: string }>(
    "SELECT column_name FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position",
  );
  return rows.map((r) => r.column_name);
}

beforeAll(async () => {
  await dropPgDatabase(postgres, DATABASE);
  await ensureDatabase({ ...postgres, database: DATABASE });
  pool = new pg.Pool({ ...postgres, database: DATABASE, max: 2 });
  for (const statement of UNVERSIONED_SCHEMA) await pool.query(statement);
  await pool.query(`INSERT INTO orders (id, customer_id, customer_name, total, created_at) VALUES ('o-old', 'c-1', 'Ada Lovelace', 12.5, '2024-03-01T10:00:00Z')`);
});

afterAll(async () => {
  await pool?.end();
});

describe('orders-graph migrations', () => {
  // A later migration, as the next change of the read model would add one.
  const later: Migration = { name: '9999-test-note', statements: ['ALTER TABLE orders ADD COLUMN IF NOT EXISTS test_note TEXT'] };

  it('when the read model was built by the unversioned schema, then the first migration adopts it, the next ones apply, and its rows stay', async () => {
    expect(await migrate(pool, logger)).toEqual(['0001-initial-schema', '0002-order-status', '0003-shipment-events']);
    expect(await new PgOrderRepository(pool).findById('o-old')).toMatchObject({ id: 'o-old', total: 12.5 });
    expect(await migrate(pool, logger)).toEqual([]);
  });

  it('when orders get a status, then rows written before it read as placed, not cancelled', async () => {
    expect(await new PgOrderRepository(pool).findById('o-old')).toMatchObject({ id: 'o-old', status: 'placed', cancelledAt: null });
  });

  it('when a new migration adds a column, then only it runs, old rows get the column and the service still reads them', async () => {
    expect(await migratePg(pool, [...ORDERS_GRAPH_MIGRATIONS, later], logger)).toEqual(['9999-test-note']);
    expect(await columns()).toEqual([
      'id', 'customer_id', 'customer_name', 'customer_email', 'customer', 'items', 'total', 'created_at', 'updated_at', 'status', 'cancelled_at', 'test_note',
    ]);
    expect((await pool.query("SELECT test_note FROM orders WHERE id = 'o-old'")).rows).toEqual([{ test_note: null }]);
    expect(await new PgOrderRepository(pool).findById('o-old')).toMatchObject({ id: 'o-old', createdAt: '2024-03-01T10:00:00.000Z' });
    const { rows } = await pool.query('SELECT name FROM schema_migrations ORDER BY name');
    expect(rows.map((r: { name: string }) => r.name)).toEqual(['0001-initial-schema', '0002-order-status', '0003-shipment-events', '9999-test-note']);
  });
});
