import mysql, { type Pool, type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { createMysqlPool, ensureDatabase, MigrationError, migrateMysql, migrationChecksum, mysqlDependency, type Migration, type MysqlTarget } from './mysql.js';
import { silentLogger } from './logger.js';

// A database of its own, recreated per test: nothing else is touched.
const DATABASE = 'service_kit_migrations_test';
const target: MysqlTarget = { ...testInfra().mysql, database: DATABASE };
const pools: Pool[] = [];

const migrations: Migration[] = [
  { name: '0001-widgets', statements: ['CREATE TABLE IF NOT EXISTS widget (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL) ENGINE=InnoDB'] },
  { name: '0002-widget-colour', statements: ['ALTER TABLE widget ADD COLUMN IF NOT EXISTS colour VARCHAR(20) NULL'] },
];

async function dropDatabase(): Promise<void> {
  const admin = await mysql.createConnection({ ...testInfra().mysql, connectTimeout: 5000 });
  try {
    await admin.query('DROP DATABASE IF EXISTS ??', [DATABASE]);
  } finally {
    await admin.end();
  }
}

function newPool(): Pool {
  const pool = createMysqlPool(target);
  pools.push(pool);
  return pool;
}

async function recorded(pool: Pool): Promise<Array<{ name: string; checksum: string }>> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT name, checksum FROM schema_migrations ORDER BY name');
  return rows.map((r) => ({ name: String(r.name), checksum: String(r.checksum) }));
}

async function columns(pool: Pool, table: string): Promise<string[]> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT column_name AS c FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position', [
    DATABASE,
    table,
  ]);
  return rows.map((r) => String(r.c));
}

beforeEach(async () => {
  await dropDatabase();
  await ensureDatabase(target);
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await dropDatabase();
});

describe('migrateMysql', () => {
  it('when the database is empty, then every migration is applied in order and recorded with its checksum', async () => {
    const pool = newPool();
    expect(await migrateMysql(pool, migrations)).toEqual(['0001-widgets', '0002-widget-colour']);
    expect(await columns(pool, 'widget')).toEqual(['id', 'name', 'colour']);
    expect(await recorded(pool)).toEqual(migrations.map((m) => ({ name: m.name, checksum: migrationChecksum(m) })));
  });

  it('when it runs again, then nothing is applied and the data stays', async () => {
    const pool = newPool();
    await migrateMysql(pool, migrations);
    await pool.query("INSERT INTO widget (id, name) VALUES (1, 'kept')");
    expect(await migrateMysql(pool, migrations)).toEqual([]);
    const [rows] = await pool.query<RowDataPacket[]>('SELECT name FROM widget');
    expect(rows.map((r) => r.name)).toEqual(['kept']);
  });

  it('when a new migration adds a column to a database built by the earlier ones, then only it runs and the rows get the column', async () => {
    const pool = newPool();
    await migrateMysql(pool, migrations.slice(0, 1));
    await pool.query("INSERT INTO widget (id, name) VALUES (1, 'old')");
    expect(await migrateMysql(pool, migrations)).toEqual(['0002-widget-colour']);
    const [rows] = await pool.query<RowDataPacket[]>('SELECT id, name, colour FROM widget');
    expect(rows).toEqual([{ id: 1, name: 'old', colour: null }]);
  });

  it('when an applied migration was changed, then it is refused naming it and nothing else runs', async () => {
    const pool = newPool();
    await migrateMysql(pool, migrations.slice(0, 1));
    const edited: Migration[] = [
      { name: '0001-widgets', statements: ['CREATE TABLE IF NOT EXISTS widget (id BIGINT PRIMARY KEY) ENGINE=InnoDB'] },
      migrations[1]!,
    ];
    const attempt = migrateMysql(pool, edited);
    await expect(attempt).rejects.toBeInstanceOf(MigrationError);
    await expect(attempt).rejects.toThrow(/^migration 0001-widgets changed after being applied to this database; put the change in a new migration/);
    expect(await columns(pool, 'widget')).toEqual(['id', 'name']);
  });

  it('when only whitespace around a statement changed, then the migration still counts as the same', async () => {
    const pool = newPool();
    await migrateMysql(pool, migrations);
    const reindented = migrations.map((m) => ({ ...m, statements: m.statements.map((s) => `\n    ${s}  \n`) }));
    expect(await migrateMysql(pool, reindented)).toEqual([]);
  });

  it('when migrations are not listed in name order, then it refuses before touching the database', async () => {
    const attempt = migrateMysql(newPool(), [migrations[1]!, migrations[0]!]);
    await expect(attempt).rejects.toThrow(/must be listed in name order/);
  });

  it('when two instances migrate at once, then each migration is applied exactly once', async () => {
    const [a, b] = [newPool(), newPool()];
    const slow: Migration[] = [...migrations, { name: '0003-slow', statements: ['DO SLEEP(0.3)', 'CREATE TABLE IF NOT EXISTS gadget (id INT PRIMARY KEY) ENGINE=InnoDB'] }];
    const [first, second] = await Promise.all([migrateMysql(a, slow), migrateMysql(b, slow)]);
    expect([...first, ...second].sort()).toEqual(['0001-widgets', '0002-widget-colour', '0003-slow']);
    expect(await recorded(a)).toHaveLength(3);
  });
});

describe('mysqlDependency', () => {
  it('when the database is missing, then preparing creates and migrates it; a changed migration is fatal', async () => {
    await dropDatabase();
    const pool = newPool();
    const step = mysqlDependency(target, pool, migrations, silentLogger());
    expect(step).toMatchObject({ dependency: 'mariadb', target: `MariaDB at ${target.host}:${target.port} (database ${DATABASE})` });
    await step.prepare(new AbortController().signal);
    expect(await columns(pool, 'widget')).toEqual(['id', 'name', 'colour']);
    expect(step.isFatal?.(new MigrationError('changed'))).toBe(true);
    expect(step.isFatal?.(new Error('connect ECONNREFUSED'))).toBe(false);
  });
});
