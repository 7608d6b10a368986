import mysql from 'mysql2/promise';
import pg from 'pg';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { DependencyUnavailableError } from './errors.js';
import { freePort } from './testing.js';
import { asDependencyUnavailable } from './unavailable.js';

// Real errors from the real drivers: a port nothing listens on, and the real servers ending
// the test's own session the way a restart does.
const infra = testInfra();

/** What `call` rejects with; fails the test when it resolves. */
async function failure(call: () => Promise<unknown>): Promise<unknown> {
  try {
    await call();
  } catch (err) {
    return err;
  }
  throw new Error('the call succeeded');
}

describe('asDependencyUnavailable', () => {
  it('when mysql2 cannot connect, then it is mariadb unavailable', async () => {
    const port = await freePort();
    const err = await failure(() => mysql.createConnection({ host: '127.0.0.1', port, user: 'oms', password: 'oms', connectTimeout: 2000 }));
    expect(asDependencyUnavailable(err)).toMatchObject({ status: 503, dependency: 'mariadb', message: 'the mariadb service is unavailable: ECONNREFUSED' });
  });

  it('when MariaDB ends the session mid-use, then the next query is mariadb unavailable', async () => {
    const connection = await mysql.createConnection({ ...infra.mysql, connectTimeout: 2000 });
    const [[row]] = await connection.query<mysql.RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    const killer = await mysql.createConnection({ ...infra.mysql, connectTimeout: 2000 });
    await killer.query('KILL CONNECTION ?', [Number(row!.id)]);
    await killer.end();
    const err = await failure(() => connection.query('SELECT 1'));
    connection.destroy();
    expect(asDependencyUnavailable(err)?.dependency).toBe('mariadb');
  });

  it('when PostgreSQL terminates the session (as at shutdown, 57P01), then it is postgres unavailable', async () => {
    const client = new pg.Client({ ...infra.postgres, database: 'postgres' });
    client.on('error', () => undefined);
    await client.connect();
    const err = await failure(() => client.query('SELECT pg_terminate_backend(pg_backend_pid())'));
    await client.end().catch(() => undefined);
    expect(asDependencyUnavailable(err)).toMatchObject({ dependency: 'postgres', message: 'the postgres service is unavailable: SQLSTATE 57P01' });
  });

  it('when a pg pool cannot get a connection in time, then it is postgres unavailable', async () => {
    const pool = new pg.Pool({ ...infra.postgres, database: 'postgres', max: 1, connectionTimeoutMillis: 200 });
    const held = await pool.connect();
    const err = await failure(() => pool.query('SELECT 1'));
    held.release();
    await pool.end();
    expect(asDependencyUnavailable(err)?.dependency).toBe('postgres');
  });

  it('when a bare socket is refused, then it is blamed on the fallback, and without one it is not classified', async () => {
    const port = await freePort();
    const err = await failure(() => new pg.Client({ host: '127.0.0.1', port, user: 'oms', database: 'x' }).connect());
    expect(asDependencyUnavailable(err, 'postgres')?.dependency).toBe('postgres');
    expect(asDependencyUnavailable(err)).toBeUndefined();
  });

  it('when kafkajs cannot reach a broker, then it is kafka unavailable', async () => {
    const port = await freePort();
    const producer = new Kafka({ brokers: [`127.0.0.1:${port}`], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 500 }).producer();
    const err = await failure(() => producer.connect());
    expect(asDependencyUnavailable(err)?.dependency).toBe('kafka');
  });

  it('when the request itself is wrong (SQL error, duplicate key), then it is not a dependency problem', async () => {
    const connection = await mysql.createConnection({ ...infra.mysql, connectTimeout: 2000 });
    const mysqlErr = await failure(() => connection.query('SELECT * FROM no_such_table_here'));
    await connection.end();
    const client = new pg.Client({ ...infra.postgres, database: 'postgres' });
    await client.connect();
    const pgErr = await failure(() => client.query('SELECT 1/0'));
    await client.end();
    expect(asDependencyUnavailable(mysqlErr, 'mariadb')).toBeUndefined();
    expect(asDependencyUnavailable(pgErr, 'postgres')).toBeUndefined();
    expect(asDependencyUnavailable(new Error('boom'), 'mariadb')).toBeUndefined();
  });

  it('when given a DependencyUnavailableError, then it is returned as it is', () => {
    const err = new DependencyUnavailableError('inventory', 'no answer', 2);
    expect(asDependencyUnavailable(err, 'mariadb')).toBe(err);
  });
});
