import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@oms/service-kit';
import type { ConsumerHealth } from '@oms/service-kit/kafka';
import { describeOpenApiContract, ResponseLog } from '@oms/service-kit/openapi-check';
import axios, { type AxiosInstance } from 'axios';
import type { Express } from 'express';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../app.js';
import { PgShipmentStore } from '../data/pg-shipment-store.js';
import { replayReportSchema, shipmentPageSchema, shipmentViewSchema } from '../domain/shipment-api.js';
import { requestShipment } from '../domain/shipping.js';
import { freshDatabase } from '../test-support/database.js';

const logger = createLogger('shipping-test', 'silent');
let pool: pg.Pool;
let store: PgShipmentStore;
let server: Server;
let app: Express;
let http: AxiosInstance;
/** Every answer the tests receive, checked against /openapi.json at the end. */
const answers = new ResponseLog();

/** A stand-in for the order follower (the real one needs Kafka; order-follower.int.test.ts runs it): its state as `/health/orders` serves it. */
function fakeFollower(ready: boolean): { ready: boolean; health(): ConsumerHealth } {
  return {
    ready,
    health: () => ({
      status: ready ? 'consuming' : 'starting',
      topic: 'orders-graph',
      groupId: 'shipping-orders',
      partitions: [],
      lag: null,
      lagByPartition: {},
      retrying: null,
      totals: { batches: 0, records: 0, requested: 0, cancelled: 0, unchanged: 0, 'not-cancellable': 0, ignored: 0, invalid: 0 },
      lastError: null,
    }),
  };
}

beforeAll(async () => {
  ({ pool } = await freshDatabase('shipping_test_routes', 20));
  store = new PgShipmentStore(pool);
  // With a follower, so the document the contract test reads lists `/health/orders` too.
  app = createApp({ logger, store, orderFollower: fakeFollower(true) });
  server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  // Every status is an answer to check, not an exception. Bodies come as text, so each answer
  // is recorded as sent before it is parsed.
  http = axios.create({
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    validateStatus: () => true,
    responseType: 'text',
    transformResponse: [(data: unknown) => data],
  });
  http.interceptors.response.use((res) => {
    const text = typeof res.data === 'string' ? res.data : '';
    const headers = new Headers(Object.entries(res.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : [])));
    answers.add(res.config.method ?? 'get', `${res.config.baseURL ?? ''}${res.config.url ?? ''}`, { status: res.status, headers }, text);
    try {
      res.data = text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      res.data = text;
    }
    return res;
  });
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await pool?.end();
});

/** A new order whose shipment has been requested (as the Kafka consumer will do). */
async function requestedOrder(): Promise<string> {
  const orderId = randomUUID();
  await requestShipment(store, orderId);
  return orderId;
}

const post = (orderId: string, command: string, body?: unknown) => http.post(`/shipments/${orderId}/${command}`, body);
const dispatchBody = (expectedVersion: number, trackingNumber = 'TN-1') => ({ expectedVersion, carrier: 'DHL', trackingNumber });

async function eventTypes(orderId: string): Promise<string[]> {
  const { rows } = await pool.query('SELECT type FROM events WHERE stream_id = $1 ORDER BY version', [orderId]);
  return rows.map((r) => r.type);
}

describe('commands', () => {
  it('when a shipment goes through pack, dispatch and deliver with the current versions, then each answers the new state and version', async () => {
    const orderId = await requestedOrder();
    const packed = await post(orderId, 'pack', { expectedVersion: 1 });
    expect(packed.status).toBe(200);
    expect(packed.data).toMatchObject({ orderId, status: 'packed', version: 2 });

    const dispatched = await post(orderId, 'dispatch', dispatchBody(2, 'JD0002'));
    expect(dispatched.status).toBe(200);
    expect(dispatched.data).toMatchObject({ status: 'dispatched', carrier: 'DHL', trackingNumber: 'JD0002', version: 3 });

    const delivered = await post(orderId, 'deliver', { expectedVersion: 3 });
    expect(delivered.status).toBe(200);
    const view = shipmentViewSchema.parse(delivered.data);
    expect(view).toMatchObject({ status: 'delivered', version: 4, cancelReason: null });
    expect(view.history.map((h) => [h.version, h.type])).toEqual([
      [1, 'ShipmentRequested'],
      [2, 'Packed'],
      [3, 'Dispatched'],
      [4, 'Delivered'],
    ]);
  });

  it('when cancel carries a reason, then the shipment is cancelled with it', async () => {
    const orderId = await requestedOrder();
    const res = await post(orderId, 'cancel', { expectedVersion: 1, reason: 'order cancelled' });
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ status: 'cancelled', cancelReason: 'order cancelled', version: 2 });
  });

  it('when expectedVersion is stale, then it is a 409 naming the current version and nothing is appended', async () => {
    const orderId = await requestedOrder();
    await post(orderId, 'pack', { expectedVersion: 1 });
    const res = await post(orderId, 'cancel', { expectedVersion: 1 });
    expect(res.status).toBe(409);
    expect(res.data).toEqual({
      error: 'conflict',
      message: `version conflict on ${orderId}: expected version 1, but it is at version 2; read it again and retry`,
      details: { streamId: orderId, expectedVersion: 1, currentVersion: 2 },
    });
    expect(await eventTypes(orderId)).toEqual(['ShipmentRequested', 'Packed']);
  });

  it('when dispatch comes before pack, then it is a 422 saying to pack first', async () => {
    const orderId = await requestedOrder();
    const res = await post(orderId, 'dispatch', dispatchBody(1));
    expect(res.status).toBe(422);
    expect(res.data).toEqual({
      error: 'unprocessable',
      message: 'cannot dispatch: the shipment has not been packed yet: pack it first',
      details: { code: 'not_allowed', command: 'dispatch', status: 'requested', allowedFrom: ['packed'] },
    });
  });

  it('when any command follows delivery, then it is a 422 saying the shipment was delivered', async () => {
    const orderId = await requestedOrder();
    await post(orderId, 'pack', { expectedVersion: 1 });
    await post(orderId, 'dispatch', dispatchBody(2));
    await post(orderId, 'deliver', { expectedVersion: 3 });
    for (const [command, body] of [
      ['pack', { expectedVersion: 4 }],
      ['dispatch', dispatchBody(4)],
      ['deliver', { expectedVersion: 4 }],
      ['cancel', { expectedVersion: 4 }],
    ] as const) {
      const res = await post(orderId, command, body);
      expect(res.status).toBe(422);
      expect(res.data.message).toBe(`cannot ${command}: the shipment was already delivered, and a delivered shipment takes no more commands`);
    }
    expect(await eventTypes(orderId)).toHaveLength(4);
  });

  it('when cancel follows dispatch, then it is a 422 saying the shipment is with the carrier', async () => {
    const orderId = await requestedOrder();
    await post(orderId, 'pack', { expectedVersion: 1 });
    await post(orderId, 'dispatch', dispatchBody(2, 'Z9'));
    const res = await post(orderId, 'cancel', { expectedVersion: 3 });
    expect(res.status).toBe(422);
    expect(res.data.message).toBe('cannot cancel: the shipment was already dispatched with DHL (tracking Z9) and is with the carrier');
  });

  it('when the order has no shipment, then every command is a 404', async () => {
    const orderId = randomUUID();
    for (const [command, body] of [
      ['pack', { expectedVersion: 1 }],
      ['dispatch', dispatchBody(1)],
      ['deliver', { expectedVersion: 0 }],
      ['cancel', { expectedVersion: 1 }],
    ] as const) {
      const res = await post(orderId, command, body);
      expect(res.status).toBe(404);
      expect(res.data).toEqual({ error: 'not_found', message: `no shipment has been requested for order ${orderId}`, details: { orderId } });
    }
  });

  it('when two dispatch commands race on the same version, then one wins and the other gets a 409 naming the new version', async () => {
    // Twenty orders, two racing requests each: every pair must split into one 200 and one 409.
    const orders = await Promise.all(Array.from({ length: 20 }, requestedOrder));
    await Promise.all(orders.map((orderId) => post(orderId, 'pack', { expectedVersion: 1 })));
    const pairs = await Promise.all(orders.map((orderId) => Promise.all([post(orderId, 'dispatch', dispatchBody(2, 'A')), post(orderId, 'dispatch', dispatchBody(2, 'B'))])));
    for (const [i, pair] of pairs.entries()) {
      expect(pair.map((r) => r.status).sort()).toEqual([200, 409]);
      const winner = pair.find((r) => r.status === 200)!;
      const loser = pair.find((r) => r.status === 409)!;
      expect(loser.data.details).toEqual({ streamId: orders[i], expectedVersion: 2, currentVersion: 3 });
      expect(await eventTypes(orders[i]!)).toEqual(['ShipmentRequested', 'Packed', 'Dispatched']);
      const { rows } = await pool.query(`SELECT payload FROM outbox WHERE aggregateid = $1 AND type = 'Dispatched'`, [orders[i]]);
      expect(rows.map((r) => r.payload.data.trackingNumber)).toEqual([winner.data.trackingNumber]);
    }
  });
});

describe('request validation', () => {
  it('when expectedVersion is missing, then it is a 400 naming it', async () => {
    const res = await post(await requestedOrder(), 'pack', {});
    expect(res.status).toBe(400);
    expect(res.data).toMatchObject({ error: 'bad_request', message: 'invalid pack command' });
    expect(res.data.details.map((d: { path: string }) => d.path)).toEqual(['expectedVersion']);
  });

  it('when a dispatch body has several problems, then one 400 lists all of them', async () => {
    const res = await post(await requestedOrder(), 'dispatch', { expectedVersion: '2', carrier: '  ' });
    expect(res.status).toBe(400);
    expect(res.data.details.map((d: { path: string }) => d.path).sort()).toEqual(['carrier', 'expectedVersion', 'trackingNumber']);
  });

  it('when expectedVersion is negative or fractional, then it is a 400', async () => {
    const orderId = await requestedOrder();
    expect((await post(orderId, 'pack', { expectedVersion: -1 })).status).toBe(400);
    expect((await post(orderId, 'pack', { expectedVersion: 1.5 })).status).toBe(400);
  });

  it('when the body is not JSON or missing, then it is a 400, never a 500', async () => {
    const orderId = await requestedOrder();
    // axios would re-encode an invalid JSON string as a JSON string literal; send the bytes as they are.
    const malformed = await http.post(`/shipments/${orderId}/pack`, '{"expectedVersion": ', {
      headers: { 'content-type': 'application/json' },
      transformRequest: [(data) => data],
    });
    expect(malformed.status).toBe(400);
    expect(malformed.data.error).toBe('malformed_json');
    const empty = await http.post(`/shipments/${orderId}/pack`);
    expect(empty.status).toBe(400);
    expect(empty.data.details.map((d: { path: string }) => d.path)).toEqual(['expectedVersion']);
  });

  it('when the order id is not a UUID, then it is a 400', async () => {
    expect((await post('not-a-uuid', 'pack', { expectedVersion: 1 })).status).toBe(400);
    expect((await http.get('/shipments/not-a-uuid')).status).toBe(400);
  });

  it('when the command is unknown, then it is a 404 naming the route', async () => {
    const res = await post(await requestedOrder(), 'teleport', { expectedVersion: 1 });
    expect(res.status).toBe(404);
    expect(res.data.message).toMatch(/no route for POST \/shipments\/.+\/teleport/);
  });
});

describe('GET /shipments/:orderId', () => {
  it('when the shipment exists, then the state and the event history come back, and an upper-case id finds it', async () => {
    const orderId = await requestedOrder();
    await post(orderId, 'pack', { expectedVersion: 1 });
    const res = await http.get(`/shipments/${orderId.toUpperCase()}`);
    expect(res.status).toBe(200);
    const view = shipmentViewSchema.parse(res.data);
    expect(view).toMatchObject({ orderId, status: 'packed', carrier: null, trackingNumber: null, version: 2 });
    expect(view.history.map((h) => h.type)).toEqual(['ShipmentRequested', 'Packed']);
    expect(view.history[0]!.data).toEqual({ orderId });
    expect(view.updatedAt).toBe(view.history[1]!.at);
  });

  it('when the order has no shipment, then it is a 404', async () => {
    const res = await http.get(`/shipments/${randomUUID()}`);
    expect(res.status).toBe(404);
    expect(res.data.error).toBe('not_found');
  });
});

describe('GET /shipments', () => {
  it('when filtered by status, then only shipments in that status come back from the projection', async () => {
    const packedOrder = await requestedOrder();
    await post(packedOrder, 'pack', { expectedVersion: 1 });
    const res = await http.get('/shipments', { params: { status: 'packed', limit: 100 } });
    expect(res.status).toBe(200);
    const page = shipmentPageSchema.parse(res.data);
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every((s) => s.status === 'packed')).toBe(true);
    expect(page.items.find((s) => s.orderId === packedOrder)).toMatchObject({ version: 2, carrier: null });
    const { rows } = await pool.query(`SELECT count(*)::int AS n FROM shipments WHERE status = 'packed'`);
    expect(page.total).toBe(rows[0].n);
  });

  it('when no status is given, then every shipment is listed, paged', async () => {
    const res = await http.get('/shipments', { params: { limit: 2, offset: 1 } });
    expect(res.status).toBe(200);
    const { rows } = await pool.query('SELECT count(*)::int AS n FROM shipments');
    expect(res.data).toMatchObject({ total: rows[0].n, limit: 2, offset: 1 });
    expect(res.data.items).toHaveLength(2);
  });

  it('when the status is not one of the five, then it is a 400 listing the allowed values', async () => {
    const res = await http.get('/shipments', { params: { status: 'lost' } });
    expect(res.status).toBe(400);
    expect(res.data.details[0].path).toBe('status');
    expect(res.data.details[0].message).toContain('requested');
  });
});

describe('GET /health', () => {
  it('when PostgreSQL answers, then it is 200', async () => {
    const res = await http.get('/health');
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ status: 'ok', checks: { postgres: { ok: true } } });
  });
});

describe('POST /projections/shipments/replay', () => {
  it('when the projection matches the events, then the rebuild reports equal with the stream and event counts', async () => {
    const res = await http.post('/projections/shipments/replay');
    expect(res.status).toBe(200);
    const report = replayReportSchema.parse(res.data);
    const { rows } = await pool.query('SELECT count(DISTINCT stream_id)::int AS streams, count(*)::int AS events FROM events');
    expect(report).toMatchObject({ equal: true, differenceCount: 0, differences: [], streams: rows[0].streams, events: rows[0].events });
  });

  it('when a projection row was altered, then the report names it with both sides and the row is repaired', async () => {
    const orderId = await requestedOrder();
    await pool.query(`UPDATE shipments SET status = 'delivered' WHERE order_id = $1`, [orderId]);
    const res = await http.post('/projections/shipments/replay');
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ equal: false, differenceCount: 1, differences: [{ orderId, live: { status: 'delivered' }, rebuilt: { status: 'requested', version: 1 } }] });
    expect((await http.get(`/shipments`, { params: { status: 'delivered', limit: 100 } })).data.items.map((s: { orderId: string }) => s.orderId)).not.toContain(orderId);
  });
});

describe('GET /health/orders', () => {
  it('when the order follower consumes, then 200 with its counters', async () => {
    const res = await http.get('/health/orders');
    expect(res.status).toBe(200);
    expect(res.data).toMatchObject({ status: 'consuming', topic: 'orders-graph', groupId: 'shipping-orders', totals: { requested: 0 } });
  });
});

describeOpenApiContract({ app: () => app, baseUrl: () => http.defaults.baseURL ?? '', log: answers });
