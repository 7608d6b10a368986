import type { MysqlPool } from '@oms/service-kit/mysql';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@oms/service-kit';
import { describeOpenApiContract, ResponseLog } from '@oms/service-kit/openapi-check';
import type { Express } from 'express';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
// Test-only: the real customers app answers the reference checks over real HTTP. Services
// never import each other in production code.
import { createApp as createCustomersApp } from '../../customers/src/app.js';
import * as customersDb from '../../customers/src/data/database.js';
import { createApp as createInventoryApp } from '../../inventory/src/app.js';
import { HttpSkuCatalogue } from '../../inventory/src/data/http-sku-catalogue.js';
import { RedisInventoryStore } from '../../inventory/src/data/redis-inventory-store.js';
import { Inventory } from '../../inventory/src/domain/inventory-service.js';
import { connectTestRedis, deleteKeys, uniquePrefix } from '../../inventory/src/test-support/redis.js';
import { createApp } from './app.js';
import { createPool, ensureDatabase, migrate } from './data/database.js';
import { HttpReferenceChecker } from './data/http-reference-checker.js';
import { HttpStockReservations } from './data/http-stock-reservations.js';
import { orderPageSchema, orderSchema, type Order } from './domain/order.js';

// Own databases, dropped and recreated per run: the demo data is never touched, and the
// customers side does not collide with the customers service's own `customers_test`.
const ORDERS_DB = 'orders_test';
const CUSTOMERS_DB = 'orders_test_customers';
const MISSING_ID = '00000000-0000-4000-8000-000000000000';
const logger = createLogger('orders-test', 'silent');

// The products service (Elasticsearch-backed) is written elsewhere; until it can run here this
// stub serves its documented contract over real HTTP: GET /products/:sku is 200 for a known SKU
// and 404 otherwise. "BROKEN-500" answers 500 and "SLOW" answers after 1 s, to test failures.
const KNOWN_SKUS = new Set(['SKU-1', 'SKU-2', 'SKU-3', 'SKU/with space']);
const productRequests: string[] = [];
const products = createServer((req, res) => {
  const match = /^\/products\/([^/?]+)$/.exec(req.url ?? '');
  const sku = match ? decodeURIComponent(match[1]!) : undefined;
  if (sku !== undefined) productRequests.push(sku);
  const reply = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  if (sku === 'BROKEN-500') reply(500, { error: 'internal' });
  else if (sku === 'SLOW') setTimeout(() => reply(200, { sku }), 1000);
  else if (sku !== undefined && KNOWN_SKUS.has(sku)) reply(200, { sku, description: sku, price: 1 });
  else reply(404, { error: 'not_found' });
});

const servers: Server[] = [];
/** Each orders app by its URL; every answer of one is checked against /openapi.json at the end. */
const ordersApps = new Map<string, Express>();
const answers = new ResponseLog();
const pools: MysqlPool[] = [];
let ordersPool: MysqlPool;
let customersUrl: string;
let productsUrl: string;
let ordersUrl: string;
// The real inventory app on real Redis, under a key prefix of its own.
const inventoryPrefix = uniquePrefix('orders-test');
let redis: Awaited<ReturnType<typeof connectTestRedis>>;
let inventoryUrl: string;
/** A URL nothing listens on: a server that was started and closed again. */
let deadUrl: string;

/** Starts a real HTTP server (an express app or a plain one) on a free port; afterAll closes it. */
async function listen(handler: Express | Server): Promise<string> {
  const server = handler instanceof Server ? handler : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function resetDatabase(name: string): Promise<void> {
  // No retries: if MariaDB is unreachable this throws and every test fails loudly.
  const admin = await mysql.createConnection({ ...testInfra().mysql, connectTimeout: 5000 });
  try {
    await admin.query('DROP DATABASE IF EXISTS ??', [name]);
  } finally {
    await admin.end();
  }
}

/** An orders app on its own port, with reference checks and reservations against the given services. */
async function startOrders(urls: { customersUrl: string; productsUrl: string; inventoryUrl?: string }, timeoutMs = 2000): Promise<string> {
  const references = new HttpReferenceChecker({ ...urls, timeoutMs });
  const stock = new HttpStockReservations({ inventoryUrl: urls.inventoryUrl ?? inventoryUrl, timeoutMs, backoff: { initialMs: 20, maxMs: 50 } });
  const app = createApp({ pool: ordersPool, logger, references, stock });
  const url = await listen(app);
  ordersApps.set(url, app);
  return url;
}

function call<T = any>(base: string, method: string, path: string, body?: unknown, rawBody?: string) {
  return answers.call<T>(method, `${base}${path}`, body, rawBody, ordersApps.has(base));
}

async function countRows(): Promise<{ orders: number; details: number }> {
  const [[o]] = await ordersPool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM `order`');
  const [[d]] = await ordersPool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM order_detail');
  return { orders: Number(o?.n), details: Number(d?.n) };
}

interface TestCustomer {
  id: string;
  addresses: Array<{ id: string }>;
}

async function createCustomer(addressCount: number): Promise<TestCustomer> {
  const address = { streetType: 'STREET', streetName: 'Main', streetNumber: '1' };
  const res = await call<TestCustomer>(customersUrl, 'POST', '/customers', {
    name: 'Order',
    lastName: 'Tester',
    email: `orders.${Date.now()}.${Math.random()}@example.com`,
    identityDocument: 'ID-1',
    addresses: Array.from({ length: addressCount }, () => address),
  });
  expect(res.status).toBe(201);
  return res.body;
}

let alice: TestCustomer;
let bob: TestCustomer;

beforeAll(async () => {
  const infra = testInfra().mysql;
  await resetDatabase(CUSTOMERS_DB);
  await resetDatabase(ORDERS_DB);

  const customersTarget = { ...infra, database: CUSTOMERS_DB };
  await customersDb.ensureDatabase(customersTarget);
  const customersPool = customersDb.createPool(customersTarget);
  pools.push(customersPool);
  await customersDb.migrate(customersPool);
  customersUrl = await listen(createCustomersApp({ pool: customersPool, logger }));

  await ensureDatabase({ ...infra, database: ORDERS_DB });
  ordersPool = createPool({ ...infra, database: ORDERS_DB });
  pools.push(ordersPool);
  await migrate(ordersPool);
  await migrate(ordersPool);

  productsUrl = await listen(products);
  redis = await connectTestRedis();
  const inventory = new Inventory({ store: new RedisInventoryStore(redis, { prefix: inventoryPrefix }), catalogue: new HttpSkuCatalogue({ productsUrl }), reservationTtlMs: 60_000 });
  inventoryUrl = await listen(createInventoryApp({ inventory, logger, health: [] }));
  for (const sku of KNOWN_SKUS) expect((await call(inventoryUrl, 'PUT', `/inventory/${encodeURIComponent(sku)}`, { onHand: 1000 })).status).toBe(200);
  ordersUrl = await startOrders({ customersUrl, productsUrl });

  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));

  alice = await createCustomer(2);
  bob = await createCustomer(1);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await Promise.all(pools.map((pool) => pool.end()));
  if (redis) {
    await deleteKeys(redis, inventoryPrefix);
    await redis.quit();
  }
});

describe('GET /health', () => {
  it('when MariaDB answers, then 200 even though it does not depend on the other services', async () => {
    const dependent = await startOrders({ customersUrl: deadUrl, productsUrl: deadUrl });
    const res = await call(dependent, 'GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { mariadb: { ok: true } } });
  });
});

describe('POST /orders', () => {
  it('when customer, addresses and SKUs exist, then 201 with the order, stored as one header and its lines', async () => {
    const items = [
      { sku: 'SKU-1', quantity: 2, addressId: alice.addresses[0]!.id },
      { sku: 'SKU-2', quantity: 1, addressId: alice.addresses[1]!.id },
      { sku: 'SKU/with space', quantity: 5, addressId: alice.addresses[0]!.id },
    ];
    const res = await call<Order>(ordersUrl, 'POST', '/orders', { customerId: alice.id, items });
    expect(res.status).toBe(201);
    const order = orderSchema.parse(res.body);
    expect(order).toMatchObject({ customerId: alice.id, items });
    expect(order.createdAt).toBe(order.updatedAt);
    expect(res.headers.get('location')).toBe(`/orders/${order.id}`);

    const [[header]] = await ordersPool.query<RowDataPacket[]>('SELECT * FROM `order` WHERE id = ?', [order.id]);
    expect(header).toMatchObject({ customer_id: alice.id, line_count: 3 });
    const [lines] = await ordersPool.query<RowDataPacket[]>('SELECT line_no, sku, quantity, address_id FROM order_detail WHERE order_id = ? ORDER BY line_no', [
      order.id,
    ]);
    expect(lines).toEqual(items.map((item, i) => ({ line_no: i + 1, sku: item.sku, quantity: item.quantity, address_id: item.addressId })));
  });

  it('when a SKU repeats across lines, then the products service is asked once per SKU', async () => {
    productRequests.length = 0;
    const addressId = alice.addresses[0]!.id;
    const items = [1, 2, 3, 4].map((quantity) => ({ sku: quantity % 2 ? 'SKU-1' : 'SKU-3', quantity, addressId }));
    expect((await call(ordersUrl, 'POST', '/orders', { customerId: alice.id, items })).status).toBe(201);
    expect(productRequests.sort()).toEqual(['SKU-1', 'SKU-3']);
  });

  it('when the customer does not exist, then 422 naming the customer and nothing is stored', async () => {
    const before = await countRows();
    const res = await call(ordersUrl, 'POST', '/orders', { customerId: MISSING_ID, items: [{ sku: 'SKU-1', quantity: 1, addressId: alice.addresses[0]!.id }] });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ error: 'unprocessable', details: { missing: { customer: MISSING_ID } } });
    expect(res.body.details.missing).not.toHaveProperty('skus');
    expect(await countRows()).toEqual(before);
  });

  it("when an address is another customer's and SKUs are unknown, then 422 naming exactly those", async () => {
    const before = await countRows();
    const items = [
      { sku: 'SKU-1', quantity: 1, addressId: alice.addresses[0]!.id },
      { sku: 'NOPE-1', quantity: 1, addressId: bob.addresses[0]!.id },
      { sku: 'NOPE-2', quantity: 1, addressId: MISSING_ID },
    ];
    const res = await call(ordersUrl, 'POST', '/orders', { customerId: alice.id, items });
    expect(res.status).toBe(422);
    expect(res.body.details).toEqual({ missing: { addresses: [bob.addresses[0]!.id, MISSING_ID], skus: ['NOPE-1', 'NOPE-2'] } });
    expect(res.body.message).toMatch(/NOPE-1/);
    expect(await countRows()).toEqual(before);
  });

  it('when the body is invalid, then 400 listing every field problem', async () => {
    const res = await call(ordersUrl, 'POST', '/orders', { customerId: 'x', items: [{ sku: '', quantity: 0, addressId: 'y' }] });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['customerId', 'items.0.addressId', 'items.0.quantity', 'items.0.sku']);
    expect((await call(ordersUrl, 'POST', '/orders', { customerId: alice.id, items: [] })).status).toBe(400);
  });

  it('when the body is not JSON, then 400 malformed_json', async () => {
    const res = await call(ordersUrl, 'POST', '/orders', undefined, '{"customerId"');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('malformed_json');
  });

  it('when the body is over 1 MB, then 413', async () => {
    const res = await call(ordersUrl, 'POST', '/orders', { customerId: alice.id, items: [], padding: 'x'.repeat(1_100_000) });
    expect(res.status).toBe(413);
  });

  it('when the products service answers 500, then 503 naming products and nothing is stored', async () => {
    const before = await countRows();
    const res = await call(ordersUrl, 'POST', '/orders', { customerId: alice.id, items: [{ sku: 'BROKEN-500', quantity: 1, addressId: alice.addresses[0]!.id }] });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'dependency_unavailable', details: { dependency: 'products' } });
    expect(res.body.message).toMatch(/products service is unavailable.*500/);
    expect(await countRows()).toEqual(before);
  });

  it('when the products service is too slow, then 503 after the timeout', async () => {
    const impatient = await startOrders({ customersUrl, productsUrl }, 200);
    const res = await call(impatient, 'POST', '/orders', { customerId: alice.id, items: [{ sku: 'SLOW', quantity: 1, addressId: alice.addresses[0]!.id }] });
    expect(res.status).toBe(503);
    expect(res.body.message).toMatch(/no answer within 200 ms/);
  });

  it('when the customers service is down, then 503 naming customers', async () => {
    const orphan = await startOrders({ customersUrl: deadUrl, productsUrl });
    const res = await call(orphan, 'POST', '/orders', { customerId: alice.id, items: [{ sku: 'SKU-1', quantity: 1, addressId: alice.addresses[0]!.id }] });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'dependency_unavailable', details: { dependency: 'customers' } });
    expect(res.body.message).toMatch(/ECONNREFUSED/);
  });

  it('when the products service is down, then 503 naming products', async () => {
    const orphan = await startOrders({ customersUrl, productsUrl: deadUrl });
    const res = await call(orphan, 'POST', '/orders', { customerId: alice.id, items: [{ sku: 'SKU-1', quantity: 1, addressId: alice.addresses[0]!.id }] });
    expect(res.status).toBe(503);
    expect(res.body.details).toEqual({ dependency: 'products' });
  });
});

describe('GET /orders/:id', () => {
  it('when the order exists, then 200 with what POST returned', async () => {
    const placed = await call<Order>(ordersUrl, 'POST', '/orders', { customerId: bob.id, items: [{ sku: 'SKU-3', quantity: 7, addressId: bob.addresses[0]!.id }] });
    const res = await call(ordersUrl, 'GET', `/orders/${placed.body.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual(placed.body);
  });

  it('when the id is unknown, then 404', async () => {
    const res = await call(ordersUrl, 'GET', `/orders/${MISSING_ID}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'not_found', details: { order: MISSING_ID } });
  });

  it('when the id is not a UUID, then 400', async () => {
    expect((await call(ordersUrl, 'GET', '/orders/42')).status).toBe(400);
  });
});

describe('GET /orders?customerId=', () => {
  let carol: TestCustomer;
  const placed: Order[] = [];

  beforeAll(async () => {
    carol = await createCustomer(1);
    for (const quantity of [1, 2, 3]) {
      const res = await call<Order>(ordersUrl, 'POST', '/orders', { customerId: carol.id, items: [{ sku: 'SKU-1', quantity, addressId: carol.addresses[0]!.id }] });
      placed.push(res.body);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  });

  it("when the customer has orders, then 200 with only theirs, newest first, and the total", async () => {
    const res = await call(ordersUrl, 'GET', `/orders?customerId=${carol.id}`);
    expect(res.status).toBe(200);
    const page = orderPageSchema.parse(res.body);
    expect(page).toEqual({ items: [...placed].reverse(), total: 3, limit: 20, offset: 0 });
  });

  it('when paging, then limit and offset slice the list', async () => {
    const res = await call(ordersUrl, 'GET', `/orders?customerId=${carol.id}&limit=1&offset=1`);
    expect(res.body).toEqual({ items: [placed[1]], total: 3, limit: 1, offset: 1 });
  });

  it('when the customer has no orders, then an empty page', async () => {
    expect((await call(ordersUrl, 'GET', `/orders?customerId=${MISSING_ID}`)).body).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
  });

  it('when customerId is missing or malformed, or limit out of range, then 400', async () => {
    const missing = await call(ordersUrl, 'GET', '/orders');
    expect(missing.status).toBe(400);
    expect(missing.body.details).toEqual([{ path: 'customerId', message: expect.any(String) }]);
    expect((await call(ordersUrl, 'GET', '/orders?customerId=nope')).status).toBe(400);
    expect((await call(ordersUrl, 'GET', `/orders?customerId=${carol.id}&limit=500`)).status).toBe(400);
  });
});

describe('POST /orders and the inventory', () => {
  const stockOf = async (sku: string) => (await call<{ onHand: number; reserved: number; available: number }>(inventoryUrl, 'GET', `/inventory/${encodeURIComponent(sku)}`)).body;

  it('when the stock covers the order, then 201 and the inventory holds a pending reservation under the order id', async () => {
    const before = await stockOf('SKU-2');
    const items = [
      { sku: 'SKU-2', quantity: 2, addressId: alice.addresses[0]!.id },
      { sku: 'SKU-2', quantity: 1, addressId: alice.addresses[1]!.id },
    ];
    const res = await call<Order>(ordersUrl, 'POST', '/orders', { customerId: alice.id, items });
    expect(res.status).toBe(201);
    const reservation = await call(inventoryUrl, 'GET', `/reservations/${res.body.id}`);
    expect(reservation).toMatchObject({ status: 200, body: { orderId: res.body.id, state: 'pending', lines: [{ sku: 'SKU-2', quantity: 3 }] } });
    expect(await stockOf('SKU-2')).toEqual({ ...before, reserved: before.reserved + 3, available: before.available - 3 });
  });

  it('when a line is short, then 422 with the inventory\'s message, no order row and nothing reserved', async () => {
    const rows = await countRows();
    const before = await stockOf('SKU-3');
    const res = await call(ordersUrl, 'POST', '/orders', {
      customerId: alice.id,
      items: [
        { sku: 'SKU-1', quantity: 1, addressId: alice.addresses[0]!.id },
        { sku: 'SKU-3', quantity: before.available + 5, addressId: alice.addresses[0]!.id },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: 'unprocessable',
      message: `out of stock: SKU-3 (wanted ${before.available + 5}, available ${before.available})`,
      details: { outOfStock: [{ sku: 'SKU-3', wanted: before.available + 5, available: before.available }] },
    });
    expect(await countRows()).toEqual(rows);
    expect(await stockOf('SKU-3')).toEqual(before);
  });

  it('when the inventory is down, then 503 naming it with Retry-After, after retries, and no order row', async () => {
    const rows = await countRows();
    const orphan = await startOrders({ customersUrl, productsUrl, inventoryUrl: deadUrl });
    const res = await call(orphan, 'POST', '/orders', { customerId: alice.id, items: [{ sku: 'SKU-1', quantity: 1, addressId: alice.addresses[0]!.id }] });
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ error: 'dependency_unavailable', details: { dependency: 'inventory' } });
    expect(res.body.message).toMatch(/inventory service is unavailable: POST .*\/reservations failed: ECONNREFUSED \(3 attempts\)/);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await countRows()).toEqual(rows);
  });

  it('when the answer to a reservation is lost, then it is retried with the same order id and the stock is held once', async () => {
    // A relay to the real inventory that forwards the first POST and then drops the connection
    // instead of answering: the reservation is made, but the orders service never hears of it.
    const seen: string[] = [];
    const relay = createServer((req, res) => {
      const forward = async () => {
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const body = Buffer.concat(chunks).toString();
        seen.push(body);
        const answer = await fetch(`${inventoryUrl}${req.url ?? '/'}`, { method: req.method, headers: { 'content-type': 'application/json' }, body: body || undefined });
        if (seen.length === 1) {
          req.socket.destroy();
          return;
        }
        res.writeHead(answer.status, { 'content-type': 'application/json' }).end(await answer.text());
      };
      // A relay failure shows as a dropped connection, which the test's assertions then catch.
      forward().catch(() => req.socket.destroy());
    });
    const relayUrl = await listen(relay);
    const before = await stockOf('SKU-1');
    const flaky = await startOrders({ customersUrl, productsUrl, inventoryUrl: relayUrl });
    const res = await call<Order>(flaky, 'POST', '/orders', { customerId: bob.id, items: [{ sku: 'SKU-1', quantity: 4, addressId: bob.addresses[0]!.id }] });
    expect(res.status).toBe(201);
    expect(seen).toHaveLength(2);
    expect(JSON.parse(seen[1]!)).toEqual(JSON.parse(seen[0]!));
    expect(JSON.parse(seen[0]!).orderId).toBe(res.body.id);
    expect(await stockOf('SKU-1')).toMatchObject({ reserved: before.reserved + 4 });
  });
});

describe('POST /orders/:id/cancel', () => {
  it('when the order is placed, then 200 with it cancelled; GET shows it; header and lines carry the same new updated_at', async () => {
    const placed = await call<Order>(ordersUrl, 'POST', '/orders', { customerId: bob.id, items: [{ sku: 'SKU-3', quantity: 1, addressId: bob.addresses[0]!.id }, { sku: 'SKU-1', quantity: 1, addressId: bob.addresses[0]!.id }] });
    expect(placed.body).toMatchObject({ status: 'placed', cancelledAt: null });
    const res = await call<Order>(ordersUrl, 'POST', `/orders/${placed.body.id}/cancel`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...placed.body, status: 'cancelled', cancelledAt: res.body.updatedAt, updatedAt: res.body.updatedAt });
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(placed.body.updatedAt));
    expect((await call(ordersUrl, 'GET', `/orders/${placed.body.id}`)).body).toEqual(res.body);

    const [[header]] = await ordersPool.query<RowDataPacket[]>('SELECT status, cancelled_at, updated_at FROM `order` WHERE id = ?', [placed.body.id]);
    const [lines] = await ordersPool.query<RowDataPacket[]>('SELECT updated_at FROM order_detail WHERE order_id = ?', [placed.body.id]);
    expect(header).toMatchObject({ status: 'cancelled', cancelled_at: new Date(res.body.updatedAt), updated_at: new Date(res.body.updatedAt) });
    expect(lines.map((l) => l.updated_at)).toEqual([new Date(res.body.updatedAt), new Date(res.body.updatedAt)]);
  });

  it('when the order is cancelled twice, then the second is 409 and changes nothing', async () => {
    const placed = await call<Order>(ordersUrl, 'POST', '/orders', { customerId: bob.id, items: [{ sku: 'SKU-1', quantity: 1, addressId: bob.addresses[0]!.id }] });
    const first = await call<Order>(ordersUrl, 'POST', `/orders/${placed.body.id}/cancel`);
    const second = await call(ordersUrl, 'POST', `/orders/${placed.body.id}/cancel`);
    expect(second.status).toBe(409);
    expect(second.body).toEqual({
      error: 'conflict',
      message: `order ${placed.body.id} is already cancelled (at ${String(first.body.cancelledAt)})`,
      details: { order: placed.body.id, cancelledAt: first.body.cancelledAt },
    });
    expect((await call(ordersUrl, 'GET', `/orders/${placed.body.id}`)).body).toEqual(first.body);
  });

  it('when the order is unknown, then 404; when the id is not a UUID, then 400', async () => {
    expect(await call(ordersUrl, 'POST', `/orders/${MISSING_ID}/cancel`)).toMatchObject({ status: 404, body: { error: 'not_found', details: { order: MISSING_ID } } });
    expect((await call(ordersUrl, 'POST', '/orders/42/cancel')).status).toBe(400);
  });
});

describeOpenApiContract({ app: () => ordersApps.get(ordersUrl)!, baseUrl: () => ordersUrl, log: answers });
