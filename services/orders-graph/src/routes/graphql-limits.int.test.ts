import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@oms/service-kit';
import { createPgPool } from '@oms/service-kit/pg';
import { listenLocal } from '@oms/service-kit/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import { createApp } from '../app.js';
import { ensureDatabase, migrate, type PgConnection } from '../data/migrate.js';
import { PgOrderRepository, type OrderRepository } from '../data/order-repository.js';
import { getIntrospectionQuery } from './graphql-lib.js';
import { DEFAULT_GRAPHQL_LIMITS, LIMIT_CODE, type GraphqlLimits } from './graphql-limits.js';

// Every limit against a real server on a real (throw-away) read model.
const DATABASE = 'orders_graph_limits_test';
const logger = createLogger('orders-graph-limits-test', 'silent');
const { postgres } = testInfra();
const conn: PgConnection = { ...postgres, database: DATABASE };
const ACCEPT = 'application/graphql-response+json, application/json;q=0.9';

let pool: pg.Pool;
const servers: Server[] = [];

async function serve(orders: OrderRepository, limits?: GraphqlLimits): Promise<string> {
  const server = await listenLocal(createApp({ logger, orders, limits }));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function gql(url: string, query: string, variables?: Record<string, unknown>) {
  const started = Date.now();
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: ACCEPT },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: Record<string, unknown> | null; errors?: Array<{ message: string; path?: string[]; extensions?: Record<string, unknown> }> };
  return { status: res.status, body, ms: Date.now() - started };
}

const aliased = (n: number, field: string) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const FULL_PAGE = `orders(limit: 100) { total items { id status total createdAt customer { id name email }
  items { sku quantity lineTotal deliveryAddress { streetName streetNumber latitude longitude } } } }`;

let url: string;

beforeAll(async () => {
  const admin = new pg.Client({ ...postgres, database: 'postgres' });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.end();
  await ensureDatabase(conn);
  pool = createPgPool(conn, logger, { max: 4 });
  await migrate(pool, logger);
  await pool.query(`INSERT INTO orders (id, customer_name, customer_email, items, total, created_at) VALUES ('o-1', 'Ada Lovelace', 'ada@example.com', '[]', 1, now())`);
  url = await serve(new PgOrderRepository(pool));
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  await pool?.end();
});

describe('limits checked before execution', () => {
  it('when 2,000 aliases of orders(limit: 100) arrive, then parsing stops at the token limit: a 400 within a second, nothing executed', async () => {
    const { status, body, ms } = await gql(url, aliased(2000, 'orders(limit: 100) { total }'));
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0]).toMatchObject({
      message: `Query exceeds the limit of ${DEFAULT_GRAPHQL_LIMITS.maxTokens} tokens.`,
      extensions: { code: LIMIT_CODE, limit: 'maxTokens', max: DEFAULT_GRAPHQL_LIMITS.maxTokens },
    });
    expect(ms).toBeLessThan(1000);
  });

  it('when a query has one alias more than allowed, then it is a 400 naming the alias limit', async () => {
    const { status, body } = await gql(url, aliased(DEFAULT_GRAPHQL_LIMITS.maxAliases + 1, 'orders(limit: 1) { total }'));
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: LIMIT_CODE, limit: 'maxAliases', max: DEFAULT_GRAPHQL_LIMITS.maxAliases } });
    expect(body.errors?.[0]?.message).toMatch(/Aliases limit of 15 exceeded, found 16/);
  });

  it('when a query has as many aliases as allowed, each a full page, then it runs', async () => {
    const { status, body } = await gql(url, aliased(DEFAULT_GRAPHQL_LIMITS.maxAliases, FULL_PAGE));
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(Object.keys(body.data ?? {})).toHaveLength(DEFAULT_GRAPHQL_LIMITS.maxAliases);
  });

  it('when a query nests deeper than the depth limit, then it is a 400 naming the depth found', async () => {
    const shallow = await serve(new PgOrderRepository(pool), { ...DEFAULT_GRAPHQL_LIMITS, maxDepth: 3 });
    const { status, body } = await gql(shallow, '{ orders { items { customer { name } } } }');
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({ message: 'Query depth limit of 3 exceeded, found 4.', extensions: { code: LIMIT_CODE, limit: 'maxDepth', max: 3 } });
  });

  it('when a query costs more than the cost limit, then it is a 400 naming the cost found', async () => {
    const cheap = await serve(new PgOrderRepository(pool), { ...DEFAULT_GRAPHQL_LIMITS, maxCost: 50 });
    const { status, body } = await gql(cheap, `{ ${FULL_PAGE} }`);
    expect(status).toBe(400);
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: LIMIT_CODE, limit: 'maxCost', max: 50 } });
    expect(body.errors?.[0]?.message).toMatch(/Query Cost limit of 50 exceeded, found \d+/);
  });

  it('when GraphiQL sends its introspection query, then every limit lets it through', async () => {
    const query = getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true });
    const { status, body } = await gql(url, query);
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect((body.data?.__schema as { queryType: { name: string } }).queryType.name).toBe('Query');
  });

  it('when limit is above the largest page, then the answer is a bad-input error and no page', async () => {
    const { status, body } = await gql(url, '{ orders(limit: 101) { total } }');
    expect(status).toBe(200);
    expect(body.data).toBeNull();
    expect(body.errors?.[0]).toMatchObject({ message: 'invalid arguments: limit: limit must be between 1 and 100', extensions: { code: 'BAD_USER_INPUT' } });
  });
});

describe('the time limit', () => {
  it('when execution outlasts the limit, then the answer is the time-limit error at the limit, not when the work ends', async () => {
    const never: OrderRepository = {
      findById: () => new Promise(() => undefined),
      findPage: () => new Promise(() => undefined),
      count: () => new Promise(() => undefined),
      ping: () => Promise.resolve(),
    };
    const slow = await serve(never, { ...DEFAULT_GRAPHQL_LIMITS, timeoutMs: 300 });
    const { status, body, ms } = await gql(slow, '{ orders { total } }');
    expect(status).toBe(200);
    expect(body).toEqual({
      data: null,
      errors: [{ message: 'The request took longer than the limit of 300 ms and was stopped.', extensions: { code: LIMIT_CODE, limit: 'timeoutMs', max: 300 } }],
    });
    expect(ms).toBeGreaterThanOrEqual(290);
    expect(ms).toBeLessThan(2000);
  });

  it('when execution outlasts the limit because PostgreSQL hangs (it does not answer a ping either), then the answer is a 503 naming postgres, not the time limit', async () => {
    const hung: OrderRepository = {
      findById: () => new Promise(() => undefined),
      findPage: () => new Promise(() => undefined),
      count: () => new Promise(() => undefined),
      ping: () => new Promise(() => undefined),
    };
    const slow = await serve(hung, { ...DEFAULT_GRAPHQL_LIMITS, timeoutMs: 300 });
    const started = Date.now();
    const res = await fetch(`${slow}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', accept: ACCEPT }, body: JSON.stringify({ query: '{ orders { total } }' }) });
    const ms = Date.now() - started;
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ data: null, errors: [{ extensions: { code: 'DEPENDENCY_UNAVAILABLE', dependency: 'postgres' } }] });
    // The limit, plus the ping's own bound (1 s), and no more.
    expect(ms).toBeLessThan(3000);
  });

  it('when PostgreSQL cancels a statement at statement_timeout, then the field answers the time-limit error, not an internal one', async () => {
    const limited = createPgPool(conn, logger, { max: 2, statementTimeoutMs: 300 });
    const locker = new pg.Client(conn);
    await locker.connect();
    try {
      // A lock held elsewhere makes the read wait until PostgreSQL gives up on it.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE orders IN ACCESS EXCLUSIVE MODE');
      const blocked = await serve(new PgOrderRepository(limited));
      const { status, body } = await gql(blocked, '{ orders { total } }');
      expect(status).toBe(200);
      expect(body.errors?.[0]).toMatchObject({
        message: `The request took longer than the limit of ${DEFAULT_GRAPHQL_LIMITS.timeoutMs} ms and was stopped.`,
        path: ['orders', 'total'], // the field whose statement was cancelled
        extensions: { code: LIMIT_CODE, limit: 'timeoutMs' },
      });
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
      await limited.end();
    }
  });

  it('when the pool has a statement timeout, then migrations still run without it', async () => {
    const limited = createPgPool(conn, logger, { max: 1, statementTimeoutMs: 300 });
    try {
      await migrate(limited, logger);
      const { rows } = await limited.query<{ statement_timeout: string }>('SHOW statement_timeout');
      expect(rows[0]?.statement_timeout).toBe('300ms');
    } finally {
      await limited.end();
    }
  });
});

describe('input PostgreSQL would reject', () => {
  it('when an order id holds a NUL character, then it is a bad-input error naming it, never an internal error', async () => {
    const { status, body } = await gql(url, 'query($id: ID!) { order(id: $id) { id } }', { id: 'o-\u0000-1' });
    expect(status).toBe(200);
    expect(body.errors?.[0]).toMatchObject({
      message: 'invalid arguments: id: must not contain the NUL character (U+0000)',
      path: ['order'],
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('when a customer name or email holds a NUL character, then it is a bad-input error naming each', async () => {
    const { body } = await gql(url, 'query($c: CustomerFilter) { orders(customer: $c) { total } }', { c: { name: 'A\u0000da', email: '\u0000' } });
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });
    expect(body.errors?.[0]?.message).toBe(
      'invalid arguments: customer.name: must not contain the NUL character (U+0000); customer.email: must not contain the NUL character (U+0000)',
    );
  });

  it('when an order id is longer than any id, then it is a bad-input error', async () => {
    const { body } = await gql(url, 'query($id: ID!) { order(id: $id) { id } }', { id: 'x'.repeat(201) });
    expect(body.errors?.[0]).toMatchObject({ message: 'invalid arguments: id: id must be at most 200 characters', extensions: { code: 'BAD_USER_INPUT' } });
  });
});
