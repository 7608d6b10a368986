import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { ConsumerHealth } from '@oms/service-kit/kafka';
import { describeOpenApiContract, ResponseLog } from '@oms/service-kit/openapi-check';
import type { Express } from 'express';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './app.js';
import { createRedisClient } from './data/redis.js';
import { RedisInventoryStore } from './data/redis-inventory-store.js';
import { Inventory } from './domain/inventory-service.js';
import { reservationSchema, stockSchema, type Reservation } from './domain/inventory.js';
import { FakeCatalogue } from './test-support/fake-catalogue.js';
import { snapshot, violations } from './test-support/invariants.js';
import { freePort } from '@oms/service-kit/testing';
import { listen } from './test-support/net.js';
import { connectTestRedis, deleteKeys, silentLogger, uniquePrefix } from './test-support/redis.js';

const prefix = uniquePrefix('app');
const catalogue = new FakeCatalogue(['SKU-00001', 'SKU-00002', 'SKU-00004', 'SKU/with space', 'HOT', 'NEVER-STOCKED', 'SEEDED']);
const servers: Server[] = [];
const clients: Redis[] = [];
let redis: Redis;
let store: RedisInventoryStore;
let inventory: Inventory;
let baseUrl: string;
let app: Express;
/** Every answer the tests receive, checked against /openapi.json at the end. */
const answers = new ResponseLog();

function call<T = any>(method: string, path: string, body?: unknown, { rawBody, base = baseUrl }: { rawBody?: string; base?: string } = {}) {
  return answers.call<T>(method, `${base}${path}`, body, rawBody);
}

/** A stand-in for the order follower (the real one needs Kafka; order-follower.int.test.ts runs it): its state as `/health/orders` serves it. */
function fakeFollower(ready: boolean): { ready: boolean; health(): ConsumerHealth } {
  const follower = {
    ready,
    health: (): ConsumerHealth => ({
      status: follower.ready ? 'consuming' : 'starting',
      topic: 'order',
      groupId: 'inventory-orders',
      partitions: [],
      lag: null,
      lagByPartition: {},
      retrying: null,
      totals: { batches: 0, records: 0, confirmed: 0, released: 0, unchanged: 0, unknown: 0, oversold: 0, ignored: 0, invalid: 0 },
      lastError: null,
    }),
  };
  return follower;
}

beforeAll(async () => {
  redis = await connectTestRedis();
  store = new RedisInventoryStore(redis, { prefix });
  inventory = new Inventory({ store, catalogue, reservationTtlMs: 3_600_000 });
  // With a follower, so the document the contract test reads lists `/health/orders` too.
  app = createApp({ inventory, logger: silentLogger, orderFollower: fakeFollower(true), health: [{ name: 'redis', check: () => redis.ping() }] });
  baseUrl = await listen(app, servers);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  for (const client of clients) client.disconnect();
  if (redis) {
    await deleteKeys(redis, prefix);
    await redis.quit();
  }
});

describe('GET /health', () => {
  it('when Redis answers, then 200 naming it', async () => {
    expect(await call('GET', '/health')).toMatchObject({ status: 200, body: { status: 'ok', checks: { redis: { ok: true } } } });
  });

  it('when the order follower is not consuming, then /health/orders is 503 with its state while /health stays 200', async () => {
    const follower = fakeFollower(false);
    const url = await listen(createApp({ inventory, logger: silentLogger, orderFollower: follower, health: [{ name: 'redis', check: () => redis.ping() }] }), servers);
    expect(await call('GET', '/health/orders', undefined, { base: url })).toMatchObject({ status: 503, body: { status: 'starting', totals: { oversold: 0 } } });
    expect((await call('GET', '/health', undefined, { base: url })).status).toBe(200);
    Object.assign(follower, { ready: true });
    expect((await call('GET', '/health/orders', undefined, { base: url })).status).toBe(200);
  });
});

describe('PUT /inventory/:sku', () => {
  it('when a catalogued SKU is restocked, then 200 with its stock, which GET then shows', async () => {
    const res = await call('PUT', '/inventory/SKU-00001', { onHand: 12 });
    expect(res.status).toBe(200);
    expect(stockSchema.parse(res.body)).toEqual({ sku: 'SKU-00001', onHand: 12, reserved: 0, available: 12 });
    expect(await call('GET', '/inventory/SKU-00001')).toMatchObject({ status: 200, body: { sku: 'SKU-00001', onHand: 12, reserved: 0, available: 12 } });
  });

  it('when the SKU has a slash and a space, then the encoded path reaches the same SKU', async () => {
    expect((await call('PUT', `/inventory/${encodeURIComponent('SKU/with space')}`, { onHand: 3 })).body).toMatchObject({ sku: 'SKU/with space', onHand: 3 });
    expect((await call('GET', `/inventory?skus=${encodeURIComponent('SKU/with space')}`)).body).toEqual({ items: [{ sku: 'SKU/with space', onHand: 3, reserved: 0, available: 3 }] });
  });

  it.each([
    ['negative', { onHand: -1 }],
    ['fractional', { onHand: 2.5 }],
    ['a string', { onHand: '4' }],
    ['missing', {}],
    ['too large', { onHand: 2 ** 40 }],
  ])('when onHand is %s, then 400 naming the field and nothing changes', async (_what, body) => {
    const res = await call('PUT', '/inventory/SKU-00002', body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'bad_request', message: 'invalid stock', details: [{ path: 'onHand' }] });
    expect((await store.stocks(['SKU-00002']))[0]).toBeNull();
  });

  it('when the body is not JSON, then 400 malformed_json', async () => {
    expect(await call('PUT', '/inventory/SKU-00002', undefined, { rawBody: '{"onHand":' })).toMatchObject({ status: 400, body: { error: 'malformed_json' } });
  });

  it('when the SKU is not in the catalogue, then 404 naming it and nothing is stored', async () => {
    const res = await call('PUT', '/inventory/NOPE-1', { onHand: 5 });
    expect(res).toMatchObject({ status: 404, body: { error: 'not_found', message: 'SKU NOPE-1 not found', details: { skus: ['NOPE-1'] } } });
    expect((await store.stocks(['NOPE-1']))[0]).toBeNull();
  });

  it('when the new count is below the units pending orders hold, then 409 saying how many are reserved', async () => {
    await call('PUT', '/inventory/SKU-00004', { onHand: 10 });
    expect((await call('POST', '/reservations', { orderId: randomUUID(), lines: [{ sku: 'SKU-00004', quantity: 8 }] })).status).toBe(201);
    const res = await call('PUT', '/inventory/SKU-00004', { onHand: 7 });
    expect(res).toMatchObject({ status: 409, body: { error: 'conflict', details: { sku: 'SKU-00004', onHand: 7, reserved: 8 } } });
    expect(res.body.message).toContain('8 unit(s) are reserved');
  });

  it('when If-None-Match: * is sent, then a SKU without stock is set (200) and one with stock is 412 with its counts, unchanged', async () => {
    const put = (onHand: number, ifNoneMatch: string) =>
      fetch(`${baseUrl}/inventory/SEEDED`, { method: 'PUT', headers: { 'content-type': 'application/json', 'if-none-match': ifNoneMatch }, body: JSON.stringify({ onHand }) }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));
    expect(await put(20, '*')).toMatchObject({ status: 200, body: { sku: 'SEEDED', onHand: 20, reserved: 0, available: 20 } });
    expect((await call('POST', '/reservations', { orderId: randomUUID(), lines: [{ sku: 'SEEDED', quantity: 3 }] })).status).toBe(201);
    const again = await put(50, '*');
    expect(again).toMatchObject({ status: 412, body: { error: 'precondition_failed', details: { stock: { sku: 'SEEDED', onHand: 20, reserved: 3, available: 17 } } } });
    expect(again.body.message).toContain('SEEDED has stock already');
    expect((await call('GET', '/inventory/SEEDED')).body).toEqual({ sku: 'SEEDED', onHand: 20, reserved: 3, available: 17 });
  });

  it('when If-None-Match names an entity tag, then 400: only * is understood, and nothing changes', async () => {
    const res = await fetch(`${baseUrl}/inventory/SKU-00002`, { method: 'PUT', headers: { 'content-type': 'application/json', 'if-none-match': '"v1"' }, body: JSON.stringify({ onHand: 5 }) });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'bad_request', message: 'invalid headers', details: [{ path: 'if-none-match' }] });
    expect((await store.stocks(['SKU-00002']))[0]).toBeNull();
  });

  it('when the products service is down, then 503 with Retry-After', async () => {
    catalogue.down = true;
    try {
      const res = await call('PUT', '/inventory/SKU-00001', { onHand: 1 });
      expect(res).toMatchObject({ status: 503, body: { error: 'dependency_unavailable', details: { dependency: 'products' } } });
      expect(res.headers.get('retry-after')).toBe('1');
    } finally {
      catalogue.down = false;
    }
  });
});

describe('GET /inventory', () => {
  it('when a catalogued SKU never had stock, then it reads as zeros; an unknown SKU is a 404', async () => {
    expect(await call('GET', '/inventory/NEVER-STOCKED')).toMatchObject({ status: 200, body: { sku: 'NEVER-STOCKED', onHand: 0, reserved: 0, available: 0 } });
    expect(await call('GET', '/inventory/NOPE-2')).toMatchObject({ status: 404, body: { error: 'not_found', details: { skus: ['NOPE-2'] } } });
  });

  it('when several SKUs are asked, then they come in the order asked; only unrecorded ones are looked up', async () => {
    await call('PUT', '/inventory/SKU-00002', { onHand: 5 });
    catalogue.asked.length = 0;
    const res = await call('GET', '/inventory?skus=SKU-00002,NEVER-STOCKED,SKU-00001');
    expect(res.status).toBe(200);
    expect(res.body.items.map((s: { sku: string; onHand: number }) => [s.sku, s.onHand])).toEqual([
      ['SKU-00002', 5],
      ['NEVER-STOCKED', 0],
      ['SKU-00001', 12],
    ]);
    expect(catalogue.asked).toEqual([['NEVER-STOCKED']]);
  });

  it('when some SKUs are unknown, then 404 naming all of them', async () => {
    const res = await call('GET', '/inventory?skus=SKU-00001,NOPE-3,NOPE-4');
    expect(res).toMatchObject({ status: 404, body: { message: 'SKUs not found: NOPE-3, NOPE-4', details: { skus: ['NOPE-3', 'NOPE-4'] } } });
  });

  it('when skus is missing, empty or too long a list, then 400', async () => {
    expect((await call('GET', '/inventory')).status).toBe(400);
    expect((await call('GET', '/inventory?skus=,')).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => `S${i}`).join(',');
    expect((await call('GET', `/inventory?skus=${many}`)).status).toBe(400);
  });
});

describe('POST /reservations', () => {
  it('when the stock covers every line, then 201 with the pending reservation, and a retry is 200 with the same one', async () => {
    await call('PUT', '/inventory/SKU-00002', { onHand: 5 });
    const orderId = randomUUID();
    const body = { orderId, lines: [{ sku: 'SKU-00002', quantity: 2 }] };
    const first = await call<Reservation>('POST', '/reservations', body);
    expect(first.status).toBe(201);
    expect(first.headers.get('location')).toBe(`/reservations/${orderId}`);
    expect(reservationSchema.parse(first.body)).toMatchObject({ orderId, state: 'pending', lines: body.lines });
    const retry = await call('POST', '/reservations', { ...body, orderId: orderId.toUpperCase() });
    expect(retry).toMatchObject({ status: 200, body: first.body });
    expect(await call('GET', `/reservations/${orderId}`)).toMatchObject({ status: 200, body: first.body });
    expect((await call('GET', '/inventory/SKU-00002')).body).toMatchObject({ onHand: 5, reserved: 2, available: 3 });
  });

  it('when a line is short, then 422 naming each short SKU with wanted and available, and nothing is reserved', async () => {
    await call('PUT', '/inventory/SKU-00001', { onHand: 12 });
    const orderId = randomUUID();
    const available: number = (await call('GET', '/inventory/SKU-00004')).body.available;
    const res = await call('POST', '/reservations', {
      orderId,
      lines: [
        { sku: 'SKU-00001', quantity: 1 },
        { sku: 'SKU-00004', quantity: available + 3 },
      ],
    });
    expect(res.status).toBe(422);
    expect(res.body).toEqual({
      error: 'unprocessable',
      message: `out of stock: SKU-00004 (wanted ${available + 3}, available ${available})`,
      details: { outOfStock: [{ sku: 'SKU-00004', wanted: available + 3, available }] },
    });
    expect((await call('GET', '/inventory/SKU-00001')).body).toMatchObject({ reserved: 0 });
    expect((await call('GET', `/reservations/${orderId}`)).status).toBe(404);
  });

  it('when the same order id comes with other lines, then 409 with the stored reservation', async () => {
    const orderId = randomUUID();
    await call('POST', '/reservations', { orderId, lines: [{ sku: 'SKU-00001', quantity: 1 }] });
    const res = await call('POST', '/reservations', { orderId, lines: [{ sku: 'SKU-00001', quantity: 2 }] });
    expect(res).toMatchObject({ status: 409, body: { error: 'conflict', details: { reservation: { orderId, lines: [{ sku: 'SKU-00001', quantity: 1 }] } } } });
  });

  it('when the order id was released meanwhile, then a retry is 409 rather than a reservation that holds nothing', async () => {
    const orderId = randomUUID();
    const body = { orderId, lines: [{ sku: 'SKU-00001', quantity: 1 }] };
    await call('POST', '/reservations', body);
    await inventory.release(orderId);
    const res = await call('POST', '/reservations', body);
    expect(res).toMatchObject({ status: 409, body: { error: 'conflict', details: { reservation: { state: 'released' } } } });
    expect(res.body.message).toContain('was released');
  });

  it('when the body is invalid, then 400 listing every problem', async () => {
    const res = await call('POST', '/reservations', { orderId: 'nope', lines: [{ sku: '', quantity: 0 }] });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['lines.0.quantity', 'lines.0.sku', 'orderId']);
    expect((await call('POST', '/reservations', { orderId: randomUUID(), lines: [] })).status).toBe(400);
    expect((await call('POST', '/reservations', undefined, { rawBody: 'nope' })).status).toBe(400);
  });

  it('when a reservation is asked for by a malformed or unknown order id, then 400 or 404', async () => {
    expect((await call('GET', '/reservations/not-a-uuid')).status).toBe(400);
    expect(await call('GET', `/reservations/${randomUUID()}`)).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });

  it('when 200 orders race over HTTP for a stock of 50, then exactly 50 are 201, the other 150 are 422, and after confirming stock is 0', async () => {
    await call('PUT', '/inventory/HOT', { onHand: 50 });
    const orderIds = Array.from({ length: 200 }, () => randomUUID());
    const responses = await Promise.all(orderIds.map((orderId) => call('POST', '/reservations', { orderId, lines: [{ sku: 'HOT', quantity: 1 }] })));
    const statuses = responses.map((res) => res.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 422)).toHaveLength(150);
    expect(responses.find((res) => res.status === 422)!.body.message).toBe('out of stock: HOT (wanted 1, available 0)');

    const reserved = orderIds.filter((_, i) => statuses[i] === 201);
    await Promise.all(reserved.map((orderId) => inventory.confirm(orderId)));
    expect((await call('GET', '/inventory/HOT')).body).toEqual({ sku: 'HOT', onHand: 0, reserved: 0, available: 0 });
    const state = await snapshot(redis, prefix);
    expect(violations(state, { HOT: 0 })).toEqual([]);
    expect(state.outbox.filter((record) => record.sku === 'HOT').every((record) => record.available >= 0 && record.onHand >= 0)).toBe(true);
  });
});

describe('when Redis is down', () => {
  it('then reads and reservations are 503 with Retry-After, and /health is 503 naming redis', async () => {
    const dead = createRedisClient(`redis://127.0.0.1:${await freePort()}`, silentLogger);
    clients.push(dead);
    const deadInventory = new Inventory({ store: new RedisInventoryStore(dead, { prefix }), catalogue, reservationTtlMs: 1000 });
    const base = await listen(createApp({ inventory: deadInventory, logger: silentLogger, health: [{ name: 'redis', check: () => dead.ping() }] }), servers);

    const read = await call('GET', '/inventory/SKU-00001', undefined, { base });
    expect(read).toMatchObject({ status: 503, body: { error: 'dependency_unavailable', details: { dependency: 'redis' } } });
    expect(read.headers.get('retry-after')).toBe('1');
    const reserve = await call('POST', '/reservations', { orderId: randomUUID(), lines: [{ sku: 'SKU-00001', quantity: 1 }] }, { base });
    expect(reserve.status).toBe(503);
    expect(await call('GET', '/health', undefined, { base })).toMatchObject({ status: 503, body: { checks: { redis: { ok: false } } } });
  });
});

describeOpenApiContract({ app: () => app, baseUrl: () => baseUrl, log: answers });
