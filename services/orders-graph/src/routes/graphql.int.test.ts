import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@oms/service-kit';
import { listenLocal } from '@oms/service-kit/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import { createApp } from '../app.js';
import { ensureDatabase, migrate, type PgConnection } from '../data/migrate.js';
import { PgOrderRepository } from '../data/order-repository.js';
import { address } from '../test-support/fixtures.js';

const DATABASE = 'orders_graph_test';
const logger = createLogger('orders-graph-test', 'silent');
const { postgres } = testInfra();
const conn: PgConnection = { ...postgres, database: DATABASE };

const customers = {
  ada: { id: 'c-ada', name: 'Ada', lastName: 'Lovelace', email: 'ada@example.com' },
  grace: { id: 'c-grace', name: 'Grace', lastName: 'Hopper', email: 'Grace@Example.com' },
  adam: { id: 'c-adam', name: 'Adam', lastName: 'Smith', email: 'adam@example.com' },
  percy: { id: 'c-percy', name: 'Percy', lastName: '100% Real', email: 'percy@example.com' },
};
type Seed = [id: string, customer: (typeof customers)[keyof typeof customers], createdAt: string];
const seeds: Seed[] = [
  ['o-1', customers.ada, '2024-03-01T10:00:00Z'],
  ['o-2', customers.grace, '2024-03-02T09:00:00Z'],
  ['o-3', customers.adam, '2024-03-02T23:30:00Z'],
  // o-4 and o-5 share a timestamp: the id breaks the tie.
  ['o-5', customers.percy, '2024-03-03T08:00:00Z'],
  ['o-4', customers.grace, '2024-03-03T08:00:00Z'],
];

let pool: pg.Pool;
let server: Server;
let baseUrl: string;
let createdDatabase: boolean;


interface HealthBody { checks: Record<string, { ok: boolean } | undefined> }
const urlOf = (s: Server) => `http://127.0.0.1:${(s.address() as AddressInfo).port}`;

// The GraphQL-over-HTTP media type: with it, requests that fail validation are 400s.
const ACCEPT = 'application/graphql-response+json, application/json;q=0.9';

async function post(body: string, headers: Record<string, string> = {}, url = baseUrl) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT, ...headers },
    body,
  });
  const text = await res.text();
  return { status: res.status, contentType: res.headers.get('content-type'), body: text ? JSON.parse(text) : null };
}
async function gql(query: string, variables?: Record<string, unknown>, url = baseUrl) {
  return post(JSON.stringify({ query, variables }), {}, url);
}
const ids = (page: { items: Array<{ id: string }> }) => page.items.map((o) => o.id);
const ORDERS_IDS = `query($customer: CustomerFilter, $fromDate: String, $toDate: String, $limit: Int, $offset: Int) {
  orders(customer: $customer, fromDate: $fromDate, toDate: $toDate, limit: $limit, offset: $offset) { total items { id } }
}`;

beforeAll(async () => {
  const admin = new pg.Client({ ...postgres, database: 'postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.end();
  createdDatabase = await ensureDatabase(conn);
  pool = new pg.Pool({ ...conn, max: 4 });
  await migrate(pool, logger);
  for (const [id, customer, createdAt] of seeds) {
    const items = [
      { sku: 'SKU-1', description: 'Pan', unitPrice: 10.5, quantity: 2, lineTotal: 21, deliveryAddress: address },
      { sku: 'SKU-2', description: 'Lid', unitPrice: 4.25, quantity: 1, lineTotal: 4.25, deliveryAddress: address },
    ];
    await pool.query(
      `INSERT INTO orders (id, customer_id, customer_name, customer_email, customer, items, total, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`,
      [id, customer.id, `${customer.name} ${customer.lastName}`, customer.email, JSON.stringify(customer), JSON.stringify(items), '25.25', createdAt],
    );
  }
  server = await listenLocal(createApp({ logger, orders: new PgOrderRepository(pool) }));
  baseUrl = urlOf(server);
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await pool?.end();
});

describe('migration', () => {
  it('when the database was missing, then ensureDatabase created it, and a second run finds it', async () => {
    expect(createdDatabase).toBe(true);
    expect(await ensureDatabase(conn)).toBe(false);
  });

  it('when migrate runs again, then it succeeds and the table keeps the sink column names and indexes', async () => {
    await migrate(pool, logger);
    const { rows: cols } = await pool.query(
      `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders' ORDER BY ordinal_position`,
    );
    expect(cols.map((c) => c.column_name)).toEqual([
      'id', 'customer_id', 'customer_name', 'customer_email', 'customer', 'items', 'total', 'created_at', 'updated_at', 'status', 'cancelled_at',
    ]);
    expect(cols.find((c) => c.column_name === 'items')?.data_type).toBe('jsonb');
    const { rows: idx } = await pool.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'orders' ORDER BY indexname`);
    expect(idx.map((i) => i.indexname)).toEqual([
      'orders_created_at_id_idx',
      'orders_customer_email_lower_idx',
      'orders_customer_name_trgm_idx',
      'orders_pkey',
    ]);
  });

  it('when the sink upserts an existing id, then the row is replaced, not duplicated', async () => {
    await pool.query(
      `INSERT INTO orders (id, total) VALUES ('o-upsert', 1) ON CONFLICT (id) DO UPDATE SET total = EXCLUDED.total`,
    );
    await pool.query(
      `INSERT INTO orders (id, total) VALUES ('o-upsert', 2) ON CONFLICT (id) DO UPDATE SET total = EXCLUDED.total`,
    );
    const { rows } = await pool.query(`SELECT total FROM orders WHERE id = 'o-upsert'`);
    expect(rows).toEqual([{ total: '2.00' }]);
    await pool.query(`DELETE FROM orders WHERE id = 'o-upsert'`);
  });
});

describe('Query.order', () => {
  it('when the id exists, then the whole enriched order is returned', async () => {
    const { status, body } = await gql(`{ order(id: "o-1") {
      id total status cancelledAt createdAt updatedAt
      customer { id name lastName email }
      items { sku description unitPrice quantity lineTotal deliveryAddress {
        id streetType streetName streetNumber buildingNumber departmentNumber reference latitude longitude } }
    } }`);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.order).toEqual({
      id: 'o-1',
      total: 25.25,
      status: 'placed',
      cancelledAt: null,
      createdAt: '2024-03-01T10:00:00.000Z',
      updatedAt: '2024-03-01T10:00:00.000Z',
      customer: customers.ada,
      items: [
        { sku: 'SKU-1', description: 'Pan', unitPrice: 10.5, quantity: 2, lineTotal: 21, deliveryAddress: address },
        { sku: 'SKU-2', description: 'Lid', unitPrice: 4.25, quantity: 1, lineTotal: 4.25, deliveryAddress: address },
      ],
    });
  });

  it('when the sink upserts the order again cancelled, then the order reads as cancelled, with when', async () => {
    await pool.query(
      `INSERT INTO orders (id, customer_id, customer_name, customer_email, customer, items, total, status, created_at, updated_at)
       VALUES ('o-cancel', 'c', 'X Y', 'x@example.com', '{}', '[]', 1, 'placed', '2024-03-05T10:00:00Z', '2024-03-05T10:00:00Z')`,
    );
    await pool.query(
      `INSERT INTO orders (id, status, cancelled_at, updated_at) VALUES ('o-cancel', 'cancelled', '2024-03-05T11:00:00Z', '2024-03-05T11:00:00Z')
       ON CONFLICT (id) DO UPDATE SET status = EXCLUDED.status, cancelled_at = EXCLUDED.cancelled_at, updated_at = EXCLUDED.updated_at`,
    );
    try {
      const { body } = await gql('{ order(id: "o-cancel") { id status cancelledAt updatedAt total } }');
      expect(body).toEqual({ data: { order: { id: 'o-cancel', status: 'cancelled', cancelledAt: '2024-03-05T11:00:00.000Z', updatedAt: '2024-03-05T11:00:00.000Z', total: 1 } } });
    } finally {
      await pool.query(`DELETE FROM orders WHERE id = 'o-cancel'`);
    }
  });

  it('when the id is unknown, then order is null without errors', async () => {
    const { status, body } = await gql('query($id: ID!) { order(id: $id) { id } }', { id: 'nope' });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { order: null } });
  });

  it('when the id argument is missing, then it is a 400 validation error', async () => {
    const { status, body } = await gql('{ order { id } }');
    expect(status).toBe(400);
    expect(body.errors[0].message).toMatch(/argument "id" of type "ID!" is required/);
  });
});

describe('Query.orders', () => {
  it('when there are no filters, then all orders come newest first, ties by id', async () => {
    const { status, body } = await gql(ORDERS_IDS);
    expect(status).toBe(200);
    expect(body.data.orders.total).toBe(5);
    expect(ids(body.data.orders)).toEqual(['o-4', 'o-5', 'o-3', 'o-2', 'o-1']);
  });

  it('when limit and offset are given, then that page comes back with the full total', async () => {
    const { body } = await gql(ORDERS_IDS, { limit: 2, offset: 1 });
    expect(body.data.orders).toEqual({ total: 5, items: [{ id: 'o-5' }, { id: 'o-3' }] });
  });

  it('when the offset is past the end, then items are empty but total still counts', async () => {
    const { body } = await gql(ORDERS_IDS, { offset: 50 });
    expect(body.data.orders).toEqual({ total: 5, items: [] });
  });

  it('when filtering by part of a name in another case, then matching customers are returned', async () => {
    const { body } = await gql(ORDERS_IDS, { customer: { name: 'ADA' } });
    expect(ids(body.data.orders)).toEqual(['o-3', 'o-1']);
    const lastName = await gql(ORDERS_IDS, { customer: { name: 'hopp' } });
    expect(ids(lastName.body.data.orders)).toEqual(['o-4', 'o-2']);
  });

  it('when the name holds a LIKE wildcard, then it is matched literally', async () => {
    const { body } = await gql(ORDERS_IDS, { customer: { name: '100%' } });
    expect(ids(body.data.orders)).toEqual(['o-5']);
    const underscore = await gql(ORDERS_IDS, { customer: { name: '_' } });
    expect(underscore.body.data.orders.total).toBe(0);
  });

  it('when filtering by email in another case, then only exact matches are returned', async () => {
    const { body } = await gql(ORDERS_IDS, { customer: { email: 'GRACE@example.COM' } });
    expect(ids(body.data.orders)).toEqual(['o-4', 'o-2']);
    const partial = await gql(ORDERS_IDS, { customer: { email: 'grace' } });
    expect(partial.body.data.orders).toEqual({ total: 0, items: [] });
  });

  it('when name and email are combined, then both must match', async () => {
    const { body } = await gql(ORDERS_IDS, { customer: { name: 'ada', email: 'adam@example.com' } });
    expect(ids(body.data.orders)).toEqual(['o-3']);
  });

  it('when fromDate and toDate are the same date, then that whole UTC day is returned', async () => {
    const { body } = await gql(ORDERS_IDS, { fromDate: '2024-03-02', toDate: '2024-03-02' });
    expect(ids(body.data.orders)).toEqual(['o-3', 'o-2']);
  });

  it('when toDate is a date-time, then it is an inclusive bound', async () => {
    const { body } = await gql(ORDERS_IDS, { toDate: '2024-03-02T09:00:00Z' });
    expect(ids(body.data.orders)).toEqual(['o-2', 'o-1']);
  });

  it('when fromDate is a date-time with an offset, then it is compared as that instant', async () => {
    const { body } = await gql(ORDERS_IDS, { fromDate: '2024-03-03T09:00:00+01:00' });
    expect(ids(body.data.orders)).toEqual(['o-4', 'o-5']);
  });

  it.each([
    [{ limit: 101 }, /limit must be between 1 and 100/],
    [{ limit: 0 }, /limit must be between 1 and 100/],
    [{ offset: -1 }, /offset must not be negative/],
    [{ fromDate: '2024-02-30' }, /fromDate: must be an ISO date/],
    [{ toDate: 'last week' }, /toDate: must be an ISO date/],
    [{ fromDate: '2024-03-03', toDate: '2024-03-01' }, /fromDate must not be after toDate/],
  ])('when the arguments are %j, then it is a BAD_USER_INPUT error saying why', async (variables, message) => {
    const { status, body } = await gql(ORDERS_IDS, variables);
    expect(status).toBe(200);
    expect(body.data).toBeNull();
    expect(body.errors[0].message).toMatch(message);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('when an argument has the wrong type, then it is a 400', async () => {
    const { status, body } = await gql(ORDERS_IDS, { limit: 'ten' });
    expect(status).toBe(400);
    expect(body.errors[0].message).toMatch(/\$limit/);
  });
});

describe('GraphQL over HTTP', () => {
  it('when the query is sent by GET, then it is answered', async () => {
    const res = await fetch(`${baseUrl}/graphql?query=${encodeURIComponent('{ orders(limit: 1) { total } }')}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ data: { orders: { total: 5 } } });
  });

  it('when the query has a syntax error, then it is a 400 with the GraphQL error', async () => {
    const { status, body } = await gql('{ orders( }');
    expect(status).toBe(400);
    expect(body.errors[0].message).toMatch(/Syntax Error/);
  });

  it('when a field does not exist, then it is a 400 naming it', async () => {
    const { status, body } = await gql('{ orders { nope } }');
    expect(status).toBe(400);
    expect(body.errors[0].message).toMatch(/Cannot query field "nope"/);
  });

  it('when a legacy client accepts only application/json, then an invalid query is a 200 with errors, as the spec asks', async () => {
    const { status, contentType, body } = await post(JSON.stringify({ query: '{ orders { nope } }' }), { accept: 'application/json' });
    expect(status).toBe(200);
    expect(contentType).toMatch(/^application\/json/);
    expect(body.errors[0].message).toMatch(/Cannot query field "nope"/);
  });

  it('when the body has no query, then it is a 400', async () => {
    const { status, body } = await post('{}');
    expect(status).toBe(400);
    expect(body.errors[0].message).toMatch(/query/);
  });

  it('when the body is malformed JSON, then it is service-kit\'s 400 malformed_json', async () => {
    const { status, body } = await post('{"query": ');
    expect(status).toBe(400);
    expect(body).toEqual({ error: 'malformed_json', message: 'request body is not valid JSON', details: null });
  });

  it.each([['null'], ['[]'], ['42']])('when the JSON body is %s, then it is a 400 bad_request', async (raw) => {
    const { status, body } = await post(raw);
    expect(status).toBe(400);
    expect(body.error).toBe('bad_request');
  });

  it('when the body is over the limit, then it is service-kit\'s 413', async () => {
    const { status, body } = await post(JSON.stringify({ query: `{ orders { total } } #${'x'.repeat(1_100_000)}` }));
    expect(status).toBe(413);
    expect(body.error).toBe('payload_too_large');
  });
});

describe('GraphiQL at GET /graphql', () => {
  const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

  it('when a browser asks for the page, then GraphiQL is served with its scripts and styles from this service only', async () => {
    const res = await fetch(`${baseUrl}/graphql`, { headers: { accept: BROWSER_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await res.text();
    const sources = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources).toEqual([
      '/graphiql/graphiql.min.css',
      'data:,',
      '/graphiql/react.production.min.js',
      '/graphiql/react-dom.production.min.js',
      '/graphiql/graphiql.min.js',
      '/graphiql/init.js',
    ]);
    for (const source of sources.filter((s) => s.startsWith('/'))) {
      const asset = await fetch(`${baseUrl}${source}`);
      expect(asset.status, source).toBe(200);
      expect(asset.headers.get('content-type'), source).toMatch(/javascript|css/);
    }
  });

  it('when the page is served, then the example queries are preloaded: an order by id, and a customer\'s orders by email and date range', async () => {
    const init = await (await fetch(`${baseUrl}/graphiql/init.js`)).text();
    expect(init).toContain('defaultTabs: tabs');
    expect(init).toContain('order(id: $id)');
    expect(init).toContain('orders(customer: { email: $email }, fromDate: $fromDate, toDate: $toDate');
  });

  it.each([
    ['application/json', 'application/json'],
    ['application/graphql-response+json', 'application/graphql-response+json'],
    ['*/*, as curl sends', '*/*'],
    ['no Accept header', undefined],
  ])('when a GET asks for %s, then graphql-http answers with JSON as before', async (_what, accept) => {
    const res = await fetch(`${baseUrl}/graphql?query=${encodeURIComponent('{ orders(limit: 1) { total } }')}`, { headers: accept ? { accept } : {} });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/json/);
    expect(await res.json()).toEqual({ data: { orders: { total: 5 } } });
  });

  it('when a POST comes with a browser Accept, then it is a GraphQL answer, never the page', async () => {
    const { status, contentType, body } = await post(JSON.stringify({ query: '{ orders(limit: 1) { total } }' }), { accept: BROWSER_ACCEPT });
    expect(status).toBe(200);
    expect(contentType).toMatch(/json/);
    expect(body).toEqual({ data: { orders: { total: 5 } } });
  });

  it('when an asset that is not GraphiQL\'s is asked for, then it is the shared JSON 404', async () => {
    const res = await fetch(`${baseUrl}/graphiql/package.json`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('when PostgreSQL is unreachable', () => {
  let deadServer: Server;
  let deadPool: pg.Pool;

  beforeAll(async () => {
    deadPool = new pg.Pool({ ...conn, port: 1, connectionTimeoutMillis: 1000 });
    deadServer = await listenLocal(createApp({ logger, orders: new PgOrderRepository(deadPool) }));
  });
  afterAll(async () => {
    await new Promise((resolve) => deadServer?.close(resolve));
    await deadPool?.end();
  });

  it('then /health is 503', async () => {
    const res = await fetch(`${urlOf(deadServer)}/health`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as HealthBody).checks.postgres?.ok).toBe(false);
  });

  it('then a query answers 503 naming postgres (a GraphQL error the client can retry), never a 500 or connection details', async () => {
    const { status, body } = await gql(ORDERS_IDS, {}, urlOf(deadServer));
    expect(status).toBe(503);
    expect(body.errors[0]).toMatchObject({ extensions: { code: 'DEPENDENCY_UNAVAILABLE', dependency: 'postgres' } });
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|:1\b/);
  });
});

describe('GET /health', () => {
  it('when PostgreSQL answers, then it is 200', async () => {
    const res = await fetch(`${baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as HealthBody).checks.postgres?.ok).toBe(true);
  });
});
