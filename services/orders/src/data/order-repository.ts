import { randomUUID } from 'node:crypto';
import type { MysqlPool } from '@oms/service-kit/mysql';
import type { RowDataPacket } from 'mysql2/promise';
import { cancellationTime } from '../domain/cancel-order.js';
import type { Order } from '../domain/order.js';
import type { CancelResult, OrderRepository } from '../domain/place-order.js';
import { ORDER_DETAIL_TABLE, ORDER_TABLE } from './database.js';
import { ORDER_COLUMNS, ORDER_DETAIL_COLUMNS, orderDetailValues, orderValues, toOrder, type OrderDetailRow, type OrderRow } from './rows.js';

type OrderRecord = OrderRow & RowDataPacket;
type OrderDetailRecord = OrderDetailRow & RowDataPacket;

// Built once from constants; every value goes through a `?` placeholder.
const INSERT_ORDER = `INSERT INTO ${ORDER_TABLE} (${ORDER_COLUMNS.join(', ')}) VALUES ?`;
const INSERT_DETAILS = `INSERT INTO ${ORDER_DETAIL_TABLE} (${ORDER_DETAIL_COLUMNS.join(', ')}) VALUES ?`;
const SELECT_DETAILS_OF = `SELECT * FROM ${ORDER_DETAIL_TABLE} WHERE order_id IN (?) ORDER BY order_id, line_no`;

/** Orders in MariaDB: one `order` row plus one `order_detail` row per line. */
export class MysqlOrderRepository implements OrderRepository {
  constructor(
    private readonly pool: MysqlPool,
    private readonly newId: () => string = randomUUID,
  ) {}

  /**
   * One transaction, header first: Debezium then emits the order and all its lines from a
   * single binlog transaction, and no reader ever sees an order without its lines.
   */
  async insert(order: Order): Promise<void> {
    const tx = await this.pool.getConnection();
    try {
      await tx.beginTransaction();
      await tx.query(INSERT_ORDER, [[orderValues(order)]]);
      await tx.query(INSERT_DETAILS, [orderDetailValues(order, this.newId)]);
      await tx.commit();
    } catch (err) {
      await tx.rollback().catch(() => undefined);
      throw err;
    } finally {
      tx.release();
    }
  }

  /**
   * Locks the order row, then rewrites it (status, cancelled_at, updated_at) and every line
   * (updated_at) with the same time in one transaction: Debezium then carries a whole new
   * version of the order — header and lines — from one binlog transaction, which is what
   * orders-stream needs to re-emit it (a line written unchanged would not reach the binlog).
   */
  async cancel(id: string, now: Date): Promise<CancelResult> {
    const tx = await this.pool.getConnection();
    try {
      await tx.beginTransaction();
      const [rows] = await tx.query<OrderRecord[]>(`SELECT * FROM ${ORDER_TABLE} WHERE id = ? FOR UPDATE`, [id]);
      const row = rows[0];
      if (!row || row.status === 'cancelled') {
        await tx.rollback();
        if (!row) return { outcome: 'missing' };
        const [details] = await tx.query<OrderDetailRecord[]>(SELECT_DETAILS_OF, [[id]]);
        return { outcome: 'already-cancelled', order: toOrder(row, details) };
      }
      const at = cancellationTime(now, row.updated_at);
      await tx.query(`UPDATE ${ORDER_TABLE} SET status = 'cancelled', cancelled_at = ?, updated_at = ? WHERE id = ?`, [at, at, id]);
      await tx.query(`UPDATE ${ORDER_DETAIL_TABLE} SET updated_at = ? WHERE order_id = ?`, [at, id]);
      const [details] = await tx.query<OrderDetailRecord[]>(SELECT_DETAILS_OF, [[id]]);
      await tx.commit();
      return { outcome: 'cancelled', order: toOrder({ ...row, status: 'cancelled', cancelled_at: at, updated_at: at }, details) };
    } catch (err) {
      await tx.rollback().catch(() => undefined);
      throw err;
    } finally {
      tx.release();
    }
  }

  async findById(id: string): Promise<Order | null> {
    const [rows] = await this.pool.query<OrderRecord[]>(`SELECT * FROM ${ORDER_TABLE} WHERE id = ?`, [id]);
    const row = rows[0];
    if (!row) return null;
    const [details] = await this.pool.query<OrderDetailRecord[]>(SELECT_DETAILS_OF, [[row.id]]);
    return toOrder(row, details);
  }

  async listByCustomer(customerId: string, { limit, offset }: { limit: number; offset: number }): Promise<{ items: Order[]; total: number }> {
    const [[counted], [rows]] = await Promise.all([
      this.pool.query<Array<RowDataPacket & { total: number }>>(`SELECT COUNT(*) AS total FROM ${ORDER_TABLE} WHERE customer_id = ?`, [customerId]),
      this.pool.query<OrderRecord[]>(`SELECT * FROM ${ORDER_TABLE} WHERE customer_id = ? ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?`, [
        customerId,
        limit,
        offset,
      ]),
    ]);
    const detailsByOrder = new Map<string, OrderDetailRow[]>();
    if (rows.length > 0) {
      const [details] = await this.pool.query<OrderDetailRecord[]>(SELECT_DETAILS_OF, [rows.map((row) => row.id)]);
      for (const detail of details) {
        const list = detailsByOrder.get(detail.order_id) ?? [];
        list.push(detail);
        detailsByOrder.set(detail.order_id, list);
      }
    }
    return {
      items: rows.map((row) => toOrder(row, detailsByOrder.get(row.id) ?? [])),
      total: counted[0]?.total ?? 0,
    };
  }
}
