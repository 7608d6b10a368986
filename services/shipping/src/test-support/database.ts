import { dropPgDatabase } from '@oms/service-kit/testing';
import pg from 'pg';
import { testInfra } from '../../../../test/infra.js';
import { ensureDatabase, migrate, type PgConnection } from '../data/database.js';

/** The shared test PostgreSQL, with `database` as the target. */
export function testConnection(database: string): PgConnection {
  return { ...testInfra().postgres, database };
}

/**
 * Drops `database` if a previous run left it, creates and migrates it, and opens a pool on it.
 * Each test file has its own database, so files run in parallel and the demo's `shipping`
 * database is never touched.
 */
export async function freshDatabase(database: string, poolSize = 10): Promise<{ pool: pg.Pool; conn: PgConnection }> {
  const conn = testConnection(database);
  await dropPgDatabase(conn, database);
  await ensureDatabase(conn);
  const pool = new pg.Pool({ ...conn, max: poolSize });
  await migrate(pool);
  return { pool, conn };
}
