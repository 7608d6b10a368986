import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { DependencyUnavailableError } from './errors.js';
import { createMysqlPool, ensureDatabase, MigrationError, migrateMysql, migrationChecksum, mysqlDependency, type Migration, type MysqlLimits, type MysqlPool, type MysqlTarget } from './mysql.js';
import { tcpForwarder, type TcpForwarder } from './testing.js';
import { asDependencyUnavailable } from './unavailable.js';
import { silentLogger } from './logger.js';

// A database of its own, recreated per test: nothing else is touched.
const DATABASE = 'service_kit_migrations_test';
const target: MysqlTarget = { ...testInfra().mysql, database: DATABASE };
const pools: MysqlPool[] = [];

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

function newPool(at: MysqlTarget = target, limits?: MysqlLimits): MysqlPool {
  const pool = createMysqlPool(at, limits);
  pools.push(pool);
  return pool;
}

async function recorded(pool: MysqlPool): Promise<Array<{ name: string; checksum: string }>> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT name, checksum FROM schema_migrations ORDER BY name');
  return rows.map((r) => ({ name: String(r.name), checksum: String(r.checksum) }));
}

async function columns(pool: MysqlPool, table: string): Promise<string[]> {
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

describe('MysqlPool bounds', () => {
  const limits = { acquireTimeoutMs: 1_000, queryTimeoutMs: 1_500, connectionLimit: 2 };
  let relay: TcpForwarder | undefined;
  afterAll(async () => relay?.stop());

  /** Settles `call` and says how long it took and what it threw (undefined when it answered). */
  async function timed(call: () => Promise<unknown>): Promise<{ ms: number; error: unknown }> {
    const t0 = Date.now();
    try {
      await call();
      return { ms: Date.now() - t0, error: undefined };
    } catch (error) {
      return { ms: Date.now() - t0, error };
    }
  }

  it('when MariaDB stops answering (connections open, nothing back), then statements, transactions and new connections fail within their bounds as mariadb unavailable, and the pool serves again once it answers', async () => {
    relay = await tcpForwarder({ host: target.host, port: target.port });
    await relay.start();
    const pool = newPool({ ...target, port: relay.port }, limits);
    const [[row]] = await pool.query<RowDataPacket[]>('SELECT 1 AS one');
    expect(row).toEqual({ one: 1 });
    const tx = await pool.getConnection();
    await tx.beginTransaction();

    relay.stall();
    // More calls than connections: each fails on its own bound, none waits behind a stuck one.
    const outcomes = await Promise.all([
      timed(() => tx.query('SELECT 2')),
      ...Array.from({ length: 4 }, (_, i) => timed(() => pool.query(`SELECT ${i}`))),
    ]);
    tx.release();
    for (const { ms, error } of outcomes) {
      expect(asDependencyUnavailable(error)?.dependency).toBe('mariadb');
      // The statement's bound, or the acquire bound plus at most one statement's.
      expect(ms).toBeLessThan(limits.acquireTimeoutMs + limits.queryTimeoutMs + 1_000);
    }
    // A connection that never came back counts as unavailable, not as a generic error.
    expect(outcomes.some(({ error }) => error instanceof DependencyUnavailableError)).toBe(true);

    relay.resume();
    // The stuck connections were dropped: the next statements get fresh ones and answer at once.
    const back = await timed(() => Promise.all([pool.query('SELECT 3'), pool.query('SELECT 4'), pool.query('SELECT 5')]));
    expect(back.error).toBeUndefined();
    expect(back.ms).toBeLessThan(1_000);
  });

  it('when a statement legitimately runs past the bound, then it fails and its connection is not handed out again mid-statement', async () => {
    const pool = newPool(target, { ...limits, queryTimeoutMs: 300, connectionLimit: 1 });
    const slow = await timed(() => pool.query('DO SLEEP(2)'));
    expect((slow.error as { code?: string }).code).toBe('PROTOCOL_SEQUENCE_TIMEOUT');
    expect(slow.ms).toBeLessThan(1_500);
    // With one connection allowed, this only answers at once if the stuck one was let go.
    const next = await timed(() => pool.query<RowDataPacket[]>('SELECT 7 AS seven'));
    expect(next.error).toBeUndefined();
    expect(next.ms).toBeLessThan(1_000);
  });
});
