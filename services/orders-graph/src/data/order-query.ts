import type { OrderFilter } from '../domain/orders-args.js';

/** A parameterised SQL statement for node-postgres. */
export interface SqlQuery {
  text: string;
  values: unknown[];
}

/**
 * Columns every order read selects, in table order, and the order's shipment events (table
 * `shipment_events`, by its primary key) as one JSON array.
 */
export const ORDER_COLUMNS =
  'id, customer_id, customer_name, customer_email, customer, items, total, status, cancelled_at, created_at, updated_at, ' +
  "(SELECT json_agg(json_build_object('version', s.version, 'type', s.type, 'at', s.occurred_at, 'data', s.data) ORDER BY s.version) FROM shipment_events s WHERE s.order_id = orders.id) AS shipment_events";

/** Escapes LIKE wildcards so a name like "50%" is matched literally. */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Builds the page and count statements for `orders`. Every user value is a parameter; the
 * expressions match the migration's indexes (lower(customer_name) trigram, lower(customer_email),
 * created_at desc + id).
 */
export function buildOrdersQuery(filter: OrderFilter): { page: SqlQuery; count: SqlQuery } {
  const conditions: string[] = [];
  const values: unknown[] = [];
  const param = (value: unknown) => {
    values.push(value);
    return `$${values.length}`;
  };

  if (filter.name !== undefined) {
    conditions.push(`lower(customer_name) LIKE ${param(`%${escapeLike(filter.name.toLowerCase())}%`)} ESCAPE '\\'`);
  }
  if (filter.email !== undefined) {
    conditions.push(`lower(customer_email) = ${param(filter.email.toLowerCase())}`);
  }
  if (filter.createdFrom !== undefined) {
    conditions.push(`created_at >= ${param(filter.createdFrom)}::timestamptz`);
  }
  if (filter.createdTo !== undefined) {
    const op = filter.createdTo.inclusive ? '<=' : '<';
    conditions.push(`created_at ${op} ${param(filter.createdTo.at)}::timestamptz`);
  }

  const where = conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '';
  const filterValues = [...values];
  const page = {
    text:
      `SELECT ${ORDER_COLUMNS} FROM orders${where}` +
      ` ORDER BY created_at DESC NULLS LAST, id LIMIT ${param(filter.limit)} OFFSET ${param(filter.offset)}`,
    values,
  };
  return { page, count: { text: `SELECT count(*)::int AS total FROM orders${where}`, values: filterValues } };
}
