import pg from 'pg';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { silentLogger } from './logger.js';
import { createPgPool, ensurePgDatabase, MigrationError, migratePg, migrationChecksum, pgDependency, type Migration, type PgConnection } from './pg.js';

// A database of its own, recreated per test: nothing else is touched.
const DATABASE = 'service_kit_migrations_test';
const conn: PgConnection = { ...testInfra().postgres, database: DATABASE };
const pools: pg.Pool[] = [];
const logger = silentLogger();

const migrations: Migration[] = [
  { name: '0001-widgets', statements: ['CREATE TABLE IF NOT EXISTS widget (id INT PRIMARY KEY, name TEXT NOT NULL)'] },
  { name: '0002-widget-colour', statements: ['ALTER TABLE widget ADD COLUMN IF NOT EXISTS colour TEXT'] },
];

async function dropDatabase(): Promise<void> {
  // Pools on the database keep sessions open; FORCE ends them.
  const admin = new pg.Client({ ...testInfra().postgres, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

function newPool(): pg.Pool {
  const pool = createPgPool(conn, logger, { max: 4 });
  pools.push(pool);
  return pool;
}

async function columns(pool: pg.Pool, table: string): Promise<string[]> {
  const { rows } = await pool.query<{ column_name: string }>(
    'SELECT column_name FROM information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position',
    [table],
  );
  return rows.map((r) => r.column_name);
}

beforeEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.end()));
  await dropDatabase();
  await ensurePgDatabase(conn);
});

afterAll(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await dropDatabase();
});

describe('migratePg', () => {
  it('when the database is empty, then every migration is applied in order and recorded with its checksum; a second run applies nothing', async () => {
    const pool = newPool();
    expect(await migratePg(pool, migrations, logger)).toEqual(['0001-widgets', '0002-widget-colour']);
    expect(await columns(pool, 'widget')).toEqual(['id', 'name', 'colour']);
    const { rows } = await pool.query('SELECT name, checksum FROM schema_migrations ORDER BY name');
    expect(rows).toEqual(migrations.map((m) => ({ name: m.name, checksum: migrationChecksum(m) })));
    expect(await migratePg(pool, migrations, logger)).toEqual([]);
  });

  it('when a new migration adds a column to a database built by the earlier ones, then only it runs and the rows get the column', async () => {
    const pool = newPool();
    await migratePg(pool, migrations.slice(0, 1), logger);
    await pool.query("INSERT INTO widget (id, name) VALUES (1, 'old')");
    expect(await migratePg(pool, migrations, logger)).toEqual(['0002-widget-colour']);
    expect((await pool.query('SELECT id, name, colour FROM widget')).rows).toEqual([{ id: 1, name: 'old', colour: null }]);
  });

  it('when a migration fails half-way, then none of its statements stay and it is not recorded', async () => {
    const pool = newPool();
    const broken: Migration[] = [{ name: '0001-broken', statements: ['CREATE TABLE half (id INT)', 'SELECT * FROM no_such_table'] }];
    await expect(migratePg(pool, broken, logger)).rejects.toThrow(/no_such_table/);
    expect(await columns(pool, 'half')).toEqual([]);
    expect((await pool.query('SELECT count(*)::int AS n FROM schema_migrations')).rows).toEqual([{ n: 0 }]);
  });

  it('when an applied migration was changed, then it is refused naming it', async () => {
    const pool = newPool();
    await migratePg(pool, migrations, logger);
    const edited = [{ ...migrations[0]!, statements: ['CREATE TABLE IF NOT EXISTS widget (id BIGINT PRIMARY KEY)'] }, migrations[1]!];
    await expect(migratePg(pool, edited, logger)).rejects.toThrow(new MigrationError(
      'migration 0001-widgets changed after being applied to this database; put the change in a new migration instead (or recreate the database)',
    ));
  });

  it('when two instances migrate at once, then each migration is applied exactly once', async () => {
    const [a, b] = [newPool(), newPool()];
    const slow: Migration[] = [...migrations, { name: '0003-slow', statements: ['SELECT pg_sleep(0.3)', 'CREATE TABLE gadget (id INT PRIMARY KEY)'] }];
    const [first, second] = await Promise.all([migratePg(a, slow, logger), migratePg(b, slow, logger)]);
    expect([...first, ...second].sort()).toEqual(['0001-widgets', '0002-widget-colour', '0003-slow']);
  });
});

describe('pgDependency', () => {
  it('when the database is missing, then preparing creates and migrates it', async () => {
    await dropDatabase();
    const pool = newPool();
    const step = pgDependency(conn, pool, migrations, logger);
    expect(step).toMatchObject({ dependency: 'postgres', target: `PostgreSQL at ${conn.host}:${conn.port} (database ${DATABASE})` });
    await step.prepare(new AbortController().signal);
    expect(await columns(pool, 'widget')).toEqual(['id', 'name', 'colour']);
    expect(await ensurePgDatabase(conn)).toBe(false);
  });
});
