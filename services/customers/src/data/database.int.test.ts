import { migrateMysql, type Migration, type MysqlPool } from '@oms/service-kit/mysql';
import { dropMysqlDatabase } from '@oms/service-kit/testing';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import { CustomerRepository } from './customer-repository.js';
import { createPool, CUSTOMERS_MIGRATIONS, ensureDatabase, migrate } from './database.js';

// Its own database, rebuilt per run the way the service built it before migrations were versioned.
const DATABASE = 'customers_migrations_test';
const target = { ...testInfra().mysql, database: DATABASE };
let pool: MysqlPool;

async function columnsOf(table: string): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>(
    'SELECT column_name AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position',
    [DATABASE, table],
  );
  return rows.map((r) => String(r.c));
}

beforeAll(async () => {
  await dropMysqlDatabase(testInfra().mysql, DATABASE);
  await ensureDatabase(target);
  pool = createPool(target);
  // What every earlier version did at start: run the CREATE TABLE IF NOT EXISTS list, record nothing.
  for (const statement of CUSTOMERS_MIGRATIONS[0]!.statements) await pool.query(statement);
});

afterAll(async () => {
  await pool?.end();
});

describe('customers migrations', () => {
  const repository = () => new CustomerRepository(pool);
  const nickname: Migration = { name: '0002-customer-nickname', statements: ['ALTER TABLE customer ADD COLUMN IF NOT EXISTS nickname VARCHAR(50) NULL'] };
  let existingId: string;

  it('when the database was built by the unversioned schema, then the first migration adopts it and keeps its data', async () => {
    existingId = (await repository().create({ name: 'Old', lastName: 'Row', email: 'old.row@example.com', identityDocument: 'X', active: true, addresses: [] })).id;
    expect(await migrate(pool)).toEqual(['0001-initial-schema']);
    expect(await repository().findById(existingId)).toMatchObject({ name: 'Old', email: 'old.row@example.com' });
    expect(await migrate(pool)).toEqual([]);
  });

  it('when a new migration adds a column, then only it runs, old rows get the column and the service still reads them', async () => {
    expect(await migrateMysql(pool, [...CUSTOMERS_MIGRATIONS, nickname])).toEqual(['0002-customer-nickname']);
    expect(await columnsOf('customer')).toContain('nickname');
    const [rows] = await pool.query<RowDataPacket[]>('SELECT nickname FROM customer WHERE id = ?', [existingId]);
    expect(rows).toEqual([{ nickname: null }]);
    expect(await repository().findById(existingId)).toMatchObject({ id: existingId, name: 'Old' });
    const [recorded] = await pool.query<RowDataPacket[]>('SELECT name FROM schema_migrations ORDER BY name');
    expect(recorded.map((r) => r.name)).toEqual(['0001-initial-schema', '0002-customer-nickname']);
  });
});
