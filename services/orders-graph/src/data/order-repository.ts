import type { Pool } from 'pg';
import { toOrder, type Order, type OrderRow } from '../domain/order.js';
import type { OrderFilter } from '../domain/orders-args.js';
import { buildOrdersQuery, ORDER_COLUMNS } from './order-query.js';

/** Read access to the orders read model. */
export interface OrderRepository {
  /** The order with this id, or `null`. */
  findById(id: string): Promise<Order | null>;
  /** One page of orders matching the filter, newest first. */
  findPage(filter: OrderFilter): Promise<Order[]>;
  /** How many orders match the filter, whatever the page. */
  count(filter: OrderFilter): Promise<number>;
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

  async findPage(filter: OrderFilter): Promise<Order[]> {
    const { page } = buildOrdersQuery(filter);
    const { rows } = await timed(this.pool.query<OrderRow>(page.text, page.values));
    return rows.map(toOrder);
  }

  async count(filter: OrderFilter): Promise<number> {
    const { count } = buildOrdersQuery(filter);
    const { rows } = await timed(this.pool.query<{ total: number }>(count.text, count.values));
    return rows[0]?.total ?? 0;
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }
}
