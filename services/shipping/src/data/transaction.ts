import type pg from 'pg';

/** A pool or a client inside a transaction. */
export type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

/**
 * Runs `work` in a transaction on a pooled client: COMMIT when it resolves, ROLLBACK when it
 * throws. A client whose ROLLBACK fails (its connection is gone) is destroyed, not pooled.
 */
export async function withTransaction<T>(pool: pg.Pool, work: (tx: pg.PoolClient) => Promise<T>): Promise<T> {
  const tx = await pool.connect();
  let broken = false;
  try {
    await tx.query('BEGIN');
    const result = await work(tx);
    await tx.query('COMMIT');
    return result;
  } catch (err) {
    broken = !(await tx.query('ROLLBACK').then(
      () => true,
      () => false,
    ));
    throw err;
  } finally {
    tx.release(broken);
  }
}
