import { describe, expect, it } from 'vitest';
import { buildOrdersQuery, escapeLike } from './order-query.js';

describe('escapeLike', () => {
  it('when the text holds LIKE wildcards or backslashes, then they are escaped', () => {
    expect(escapeLike('50%_off\\')).toBe('50\\%\\_off\\\\');
  });
});

describe('buildOrdersQuery', () => {
  it('when there is no filter, then it pages newest first with no WHERE', () => {
    const { page, count } = buildOrdersQuery({ limit: 20, offset: 40 });
    expect(page.text).toBe(
      'SELECT id, customer_id, customer_name, customer_email, customer, items, total, status, cancelled_at, created_at, updated_at, ' +
        "(SELECT json_agg(json_build_object('version', s.version, 'type', s.type, 'at', s.occurred_at, 'data', s.data) ORDER BY s.version) FROM shipment_events s WHERE s.order_id = orders.id) AS shipment_events FROM orders" +
        ' ORDER BY created_at DESC NULLS LAST, id LIMIT $1 OFFSET $2',
    );
    expect(page.values).toEqual([20, 40]);
    expect(count).toEqual({ text: 'SELECT count(*)::int AS total FROM orders', values: [] });
  });

  it('when every filter is set, then each is a numbered parameter and count shares the WHERE', () => {
    const { page, count } = buildOrdersQuery({
      name: 'Ada_L',
      email: 'Ada@Example.com',
      createdFrom: '2024-03-01T00:00:00.000Z',
      createdTo: { at: '2024-03-02T00:00:00.000Z', inclusive: false },
      limit: 5,
      offset: 0,
    });
    const where =
      " WHERE lower(customer_name) LIKE $1 ESCAPE '\\' AND lower(customer_email) = $2" +
      ' AND created_at >= $3::timestamptz AND created_at < $4::timestamptz';
    expect(page.text).toContain(`FROM orders${where} ORDER BY created_at DESC NULLS LAST, id LIMIT $5 OFFSET $6`);
    expect(page.values).toEqual(['%ada\\_l%', 'ada@example.com', '2024-03-01T00:00:00.000Z', '2024-03-02T00:00:00.000Z', 5, 0]);
    expect(count.text).toBe(`SELECT count(*)::int AS total FROM orders${where}`);
    expect(count.values).toEqual(page.values.slice(0, 4));
  });

  it('when toDate is inclusive, then the bound uses <=', () => {
    const { page } = buildOrdersQuery({ createdTo: { at: '2024-03-01T10:00:00Z', inclusive: true }, limit: 1, offset: 0 });
    expect(page.text).toContain('WHERE created_at <= $1::timestamptz');
  });

  it('when a filter value carries SQL, then it only ever appears as a parameter', () => {
    const evil = "x'; DROP TABLE orders; --";
    const { page } = buildOrdersQuery({ name: evil, email: evil, limit: 1, offset: 0 });
    expect(page.text).not.toContain('DROP');
  });
});
