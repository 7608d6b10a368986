import type { Pool } from 'pg';
import { toOrder, type Order, type OrderPage, type OrderRow } from '../domain/order.js';
import type { OrderFilter } from '../domain/orders-args.js';
import { buildOrdersQuery, ORDER_COLUMNS } from './order-query.js';

/** Read access to the orders read model. */
export interface OrderRepository {
  /** The order with this id, or `null`. */
  findById(id: string): Promise<Order | null>;
  /** One page of orders matching the filter, newest first, with the total match count. */
  search(filter: OrderFilter): Promise<OrderPage>;
  /** Resolves when the database answers `SELECT 1`; used by `/health`. */
  ping(): Promise<void>;
}

/** PostgreSQL cancelled a read for running past the pool's `statement_timeout`. */
export class StatementTimeoutError extends Error {
  constructor(cause: unknown) {
    super('PostgreSQL cancelled the statement: it ran past statement_timeout', { cause });
    this.name = 'StatementTimeoutError';
  }
}

/** 57014 query_canceled: what PostgreSQL answers when `statement_timeout` cancels a statement. */
const QUERY_CANCELED = '57014';

async function timed<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (err) {
    throw (err as { code?: unknown }).code === QUERY_CANCELED ? new StatementTimeoutError(err) : err;
  }
}

/** {@link OrderRepository} over table `orders` in PostgreSQL. */
export class PgOrderRepository implements OrderRepository {
  constructor(private readonly pool: Pool) {}

  async findById(id: string): Promise<Order | null> {
    const { rows } = await timed(this.pool.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE id = $1`, [id]));
    return rows[0] ? toOrder(rows[0]) : null;
  }

  async search(filter: OrderFilter): Promise<OrderPage> {
    const { page, count } = buildOrdersQuery(filter);
    const [pageResult, countResult] = await Promise.all([
      timed(this.pool.query<OrderRow>(page.text, page.values)),
      timed(this.pool.query<{ total: number }>(count.text, count.values)),
    ]);
    return { items: pageResult.rows.map(toOrder), total: countResult.rows[0]?.total ?? 0 };
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
}
