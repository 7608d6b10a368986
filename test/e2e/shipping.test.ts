/**
 * Shipping in the running stack (issue 13), against the whole stack `bin/oms up` started: a real
 * order requests its shipment through orders-graph, commands go over REST, events reach
 * `shipment-events` through the outbox and Debezium, and GraphQL shows them. The crash tests
 * kill -9 the shipping service and Kafka Connect while commands flow.
 */
import { randomUUID } from 'node:crypto';
import { eventually } from '@oms/service-kit/testing';
import fc from 'fast-check';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORDER_KEY_SCHEMA, ORDER_VALUE_SCHEMA } from '../../services/orders-stream/src/domain/output-schema.js';
import { BROKERS, componentPid, createCustomer, ENDPOINTS, GRAPH, json, oms, placeOrders, someProducts } from './helpers.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const SHIPPING = ENDPOINTS.services.shipping;
const kafka = new Kafka({ clientId: 'e2e-shipping', brokers: BROKERS, logLevel: logLevel.NOTHING });
let producer: Producer;

interface ShipmentView {
  orderId: string;
  status: string;
  version: number;
  history: Array<{ version: number; type: string; eventId: string }>;
}

interface GraphShipment {
  status: string;
  carrier: string | null;
  trackingNumber: string | null;
  version: number;
  history: Array<{ version: number; type: string; at: string }>;
}

beforeAll(async () => {
  producer = kafka.producer({ allowAutoTopicCreation: false, idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
});

const shipment = (orderId: string) => json<ShipmentView>('GET', `${SHIPPING}/shipments/${orderId}`);
const command = (orderId: string, name: string, body: Record<string, unknown>) => json<ShipmentView & { message?: string; details?: unknown }>('POST', `${SHIPPING}/shipments/${orderId}/${name}`, body);

async function graphShipment(orderId: string): Promise<GraphShipment | null> {
  const res = await json<{ data?: { order: { shipment: GraphShipment | null } | null } }>('POST', `${GRAPH}/graphql`, {
    query: 'query($id: ID!) { order(id: $id) { shipment { status carrier trackingNumber version history { version type at } } } }',
    variables: { id: orderId },
  });
  return res.body.data?.order?.shipment ?? null;
}

/** The shipment of `orderId`, once shipping requested it (404 until the order reached it on orders-graph). */
async function requested(orderId: string, timeoutMs = 60_000): Promise<ShipmentView> {
  const res = await eventually(() => shipment(orderId), (r) => r.status === 200, { timeoutMs, what: `the shipment of order ${orderId}` });
  return res.body;
}

/**
 * An `orders-graph` record for a made-up placed order, as orders-stream writes it (the JDBC sink
 * also writes it to the read model, so GraphQL knows the order): lets a test make many shipments
 * without placing many orders, and redeliver the very same record.
 */
function enrichedOrderRecord(orderId: string, status: 'placed' | 'cancelled' = 'placed') {
  const now = new Date().toISOString();
  const payload = {
    id: orderId,
    customer_id: randomUUID(),
    customer_name: 'E2E Shipping',
    customer_email: `e2e-shipping-${orderId}@oms.example`,
    customer: JSON.stringify({ id: 'e2e', name: 'E2E', lastName: 'Shipping', email: 'e2e@oms.example' }),
    items: JSON.stringify([{ sku: 'SKU-E2E', description: 'e2e', unitPrice: 1, quantity: 1, lineTotal: 1, deliveryAddress: null }]),
    total: 1,
    status,
    cancelled_at: status === 'cancelled' ? now : null,
    created_at: now,
    updated_at: now,
  };
  return { key: JSON.stringify({ schema: ORDER_KEY_SCHEMA, payload: { id: orderId } }), value: JSON.stringify({ schema: ORDER_VALUE_SCHEMA, payload }) };
}

/**
 * Every record of `shipment-events` from the beginning, until `done` accepts what was read (a
 * fresh group each time, so nothing is skipped).
 */
async function readShipmentEvents(done: (events: Array<{ eventId: string; orderId: string; version: number; type: string }>) => boolean, timeoutMs = 120_000) {
  const consumer = kafka.consumer({ groupId: `e2e-shipping-read-${randomUUID()}`, maxWaitTimeInMs: 100 });
  const events: Array<{ eventId: string; orderId: string; version: number; type: string }> = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: 'shipment-events', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value) events.push(JSON.parse(message.value.toString()) as (typeof events)[number]);
      },
    });
    await eventually(() => done(events), (ok) => ok, { timeoutMs, what: 'the expected records on shipment-events', intervalMs: 250 });
    return events;
  } finally {
    await consumer.disconnect();
  }
}

/** Copies on the topic per event id, for the events of `orderIds`. */
function copiesByEvent(events: Array<{ eventId: string; orderId: string }>, orderIds: ReadonlySet<string>): Map<string, number> {
  const copies = new Map<string, number>();
  for (const e of events) if (orderIds.has(e.orderId)) copies.set(e.eventId, (copies.get(e.eventId) ?? 0) + 1);
  return copies;
}

/** Every event of these shipments as the event store has them (GET /shipments/:id). */
async function storedEvents(orderIds: readonly string[]): Promise<Array<{ orderId: string; eventId: string; version: number }>> {
  const all: Array<{ orderId: string; eventId: string; version: number }> = [];
  for (const id of orderIds) {
    const res = await shipment(id);
    if (res.status === 200) all.push(...res.body.history.map((h) => ({ orderId: id, eventId: h.eventId, version: h.version })));
  }
  return all;
}

/** Drives each shipment one step further (pack → dispatch → deliver), tolerating 409s; answers the commands that got through. */
async function stepAll(orderIds: readonly string[]): Promise<number> {
  let accepted = 0;
  await Promise.all(
    orderIds.map(async (id) => {
      const current = await shipment(id).catch(() => undefined);
      if (current?.status !== 200) return;
      const next: Record<string, [string, Record<string, unknown>] | undefined> = {
        requested: ['pack', {}],
        packed: ['dispatch', { carrier: 'DHL', trackingNumber: `T-${id.slice(0, 8)}` }],
        dispatched: ['deliver', {}],
      };
      const step = next[current.body.status];
      if (!step) return;
      const res = await command(id, step[0], { ...step[1], expectedVersion: current.body.version }).catch(() => undefined);
      if (res?.status === 200) accepted++;
    }),
  );
  return accepted;
}

describe('shipping in the stack', () => {
  it('when an order is placed, then its shipment is requested and every command shows in GraphQL about a second later', async () => {
    const customer = await createCustomer('ship');
    const [order] = await placeOrders(customer, await someProducts(2), 1, 1);
    const orderId = order!.id;
    const view = await requested(orderId);
    expect(view).toMatchObject({ status: 'requested', version: 1 });
    await eventually(() => graphShipment(orderId), (s) => s?.status === 'requested', { what: 'the requested shipment in GraphQL' });

    const lags: number[] = [];
    let version = 1;
    for (const [name, body, status] of [
      ['pack', {}, 'packed'],
      ['dispatch', { carrier: 'DHL', trackingNumber: 'JD0001' }, 'dispatched'],
      ['deliver', {}, 'delivered'],
    ] as const) {
      const sent = Date.now();
      const res = await command(orderId, name, { ...body, expectedVersion: version });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      version = res.body.version;
      await eventually(() => graphShipment(orderId), (s) => s?.status === status, { what: `${status} in GraphQL`, intervalMs: 20, timeoutMs: 30_000 });
      lags.push(Date.now() - sent);
    }
    const graph = await graphShipment(orderId);
    expect(graph).toMatchObject({ status: 'delivered', carrier: 'DHL', trackingNumber: 'JD0001', version: 4 });
    expect(graph!.history.map((h) => h.type)).toEqual(['ShipmentRequested', 'Packed', 'Dispatched', 'Delivered']);
    process.stderr.write(`[e2e shipping] command → GraphQL: ${lags.join(', ')} ms\n`);
    // "About a second": generous on a loaded 2-core machine; the numbers above are the record.
    for (const lag of lags) expect(lag).toBeLessThan(5_000);
  });

  it('when two dispatch commands race on the same version, then one wins and the other gets a 409 naming the new version', async () => {
    const orderId = randomUUID();
    await producer.send({ topic: 'orders-graph', acks: -1, messages: [enrichedOrderRecord(orderId)] });
    await requested(orderId);
    expect((await command(orderId, 'pack', { expectedVersion: 1 })).status).toBe(200);
    const answers = await Promise.all([
      command(orderId, 'dispatch', { expectedVersion: 2, carrier: 'DHL', trackingNumber: 'A' }),
      command(orderId, 'dispatch', { expectedVersion: 2, carrier: 'UPS', trackingNumber: 'B' }),
    ]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    const lost = answers.find((a) => a.status === 409)!;
    expect(lost.body.details).toMatchObject({ expectedVersion: 2, currentVersion: 3 });
    expect((await shipment(orderId)).body.history.map((h) => h.type)).toEqual(['ShipmentRequested', 'Packed', 'Dispatched']);
  });

  it('when the same orders-graph record is delivered ten times, then one shipment is requested and one event reaches shipment-events', async () => {
    const orderId = randomUUID();
    const record = enrichedOrderRecord(orderId);
    for (let i = 0; i < 10; i++) await producer.send({ topic: 'orders-graph', acks: -1, messages: [record] });
    await requested(orderId);
    // Let the other nine be consumed: shipping's group has caught up with the topic.
    await eventually(async () => (await json<{ lag: number | null }>('GET', `${SHIPPING}/health/orders`)).body.lag, (lag) => lag === 0, { what: "shipping's follower caught up" });
    expect((await shipment(orderId)).body.history.map((h) => h.type)).toEqual(['ShipmentRequested']);
    const events = await readShipmentEvents((all) => all.some((e) => e.orderId === orderId));
    expect(events.filter((e) => e.orderId === orderId).map((e) => e.type)).toEqual(['ShipmentRequested']);
    // orders-graph's follower stores the event a moment after it is on the topic.
    const inGraph = await eventually(() => graphShipment(orderId), (s) => (s?.history.length ?? 0) > 0, { what: 'the shipment in GraphQL' });
    expect(inGraph?.history).toHaveLength(1);
  });

  it('when the shipping service is killed (SIGKILL) while commands flow, then nothing is half-written and every event reaches shipment-events exactly once', async () => {
    const orderIds = Array.from({ length: 40 }, () => randomUUID());
    await producer.send({ topic: 'orders-graph', acks: -1, messages: orderIds.map((id) => enrichedOrderRecord(id)) });
    for (const id of orderIds) await requested(id);
    const pid = await componentPid('shipping');
    // Commands in flight when the kill lands; failures during the outage are expected.
    const flow = (async () => {
      for (let round = 0; round < 3; round++) await stepAll(orderIds).catch(() => 0);
    })();
    await new Promise((resolve) => setTimeout(resolve, 150));
    process.kill(pid, 'SIGKILL');
    await flow;
    const up = await oms(['up', '--only', 'shipping', '--no-seed']);
    expect(up.exitCode, up.all).toBe(0);
    for (let round = 0; round < 3; round++) await stepAll(orderIds);

    // Nothing half-written: each shipment's history is dense and its projection row agrees.
    const stored = await storedEvents(orderIds);
    for (const id of orderIds) {
      const versions = stored.filter((e) => e.orderId === id).map((e) => e.version);
      expect(versions).toEqual(versions.map((_, i) => i + 1));
    }
    const replay = await oms(['shipping', 'replay', '--json']);
    expect(replay.exitCode, replay.all).toBe(0);
    expect((JSON.parse(replay.stdout) as { data: { equal: boolean } }).data.equal).toBe(true);

    // Every outbox row reached the topic, and exactly once (Connect itself was not disturbed).
    const ids = new Set(orderIds);
    const events = await readShipmentEvents((all) => copiesByEvent(all, ids).size >= stored.length);
    const copies = copiesByEvent(events, ids);
    expect([...copies.keys()].sort()).toEqual(stored.map((e) => e.eventId).sort());
    expect([...copies.values()].every((n) => n === 1)).toBe(true);
  });

  it('when Kafka Connect is killed (SIGKILL) while events flow, then every event reaches shipment-events and the read model holds each once', async () => {
    const orderIds = Array.from({ length: 40 }, () => randomUUID());
    await producer.send({ topic: 'orders-graph', acks: -1, messages: orderIds.map((id) => enrichedOrderRecord(id)) });
    for (const id of orderIds) await requested(id);
    const pid = await componentPid('connect');
    const flow = (async () => {
      for (let round = 0; round < 3; round++) await stepAll(orderIds);
    })();
    await new Promise((resolve) => setTimeout(resolve, 150));
    process.kill(pid, 'SIGKILL');
    await flow;
    const up = await oms(['up', '--only', 'connect', '--no-seed']);
    expect(up.exitCode, up.all).toBe(0);
    // `up --only connect` starts Connect; the connectors step (with the healing of failed tasks) runs with a full up.
    const full = await oms(['up', '--no-seed']);
    expect(full.exitCode, full.all).toBe(0);

    const stored = await storedEvents(orderIds);
    expect(stored.length).toBeGreaterThan(orderIds.length * 2);
    const ids = new Set(orderIds);
    const events = await readShipmentEvents((all) => copiesByEvent(all, ids).size >= stored.length, 300_000);
    // At least once: a crash may publish a row twice; the read model absorbs the copies by (order id, version).
    expect([...copiesByEvent(events, ids).keys()].sort()).toEqual(stored.map((e) => e.eventId).sort());
    for (const id of orderIds) {
      const mine = stored.filter((e) => e.orderId === id);
      const graph = await eventually(() => graphShipment(id), (s) => s?.version === mine.length, { what: `order ${id} in GraphQL`, timeoutMs: 60_000 });
      expect(graph!.history.map((h) => h.version)).toEqual(mine.map((e) => e.version));
    }
  });

  it('when 500 shipments went through random command sequences, then oms shipping replay rebuilds a projection equal to the live one', async () => {
    const orderIds = Array.from({ length: 500 }, () => randomUUID());
    for (let i = 0; i < orderIds.length; i += 100) {
      await producer.send({ topic: 'orders-graph', acks: -1, messages: orderIds.slice(i, i + 100).map((id) => enrichedOrderRecord(id)) });
    }
    await eventually(async () => (await json<{ total: number }>('GET', `${SHIPPING}/shipments?limit=1`)).body.total, (n) => n >= 500, { timeoutMs: 120_000, what: '500 shipments requested' });
    for (const id of orderIds) await requested(id);
    // Each shipment gets a random sequence of commands, valid or not, some on stale versions.
    const commandArb = fc.constantFrom('pack', 'dispatch', 'deliver', 'cancel');
    const sequences = fc.sample(fc.array(fc.tuple(commandArb, fc.boolean()), { minLength: 0, maxLength: 5 }), { numRuns: orderIds.length, seed: 13 });
    const statuses = new Map<number, number>();
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < orderIds.length) {
          const i = next++;
          const id = orderIds[i]!;
          let version = 1;
          for (const [name, stale] of sequences[i]!) {
            const body = name === 'dispatch' ? { carrier: 'DHL', trackingNumber: `T-${i}` } : name === 'cancel' ? { reason: 'changed my mind' } : {};
            const res = await command(id, name, { ...body, expectedVersion: stale ? Math.max(0, version - 1) : version });
            statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
            if (res.status === 200) version = res.body.version;
            else expect([409, 422], JSON.stringify(res.body)).toContain(res.status);
          }
        }
      }),
    );
    process.stderr.write(`[e2e shipping] random commands by answer: ${JSON.stringify(Object.fromEntries(statuses))}\n`);
    expect(statuses.get(200) ?? 0).toBeGreaterThan(100);
    const replay = await oms(['shipping', 'replay', '--json']);
    expect(replay.exitCode, replay.all).toBe(0);
    const report = (JSON.parse(replay.stdout) as { data: { equal: boolean; streams: number; differenceCount: number } }).data;
    expect(report).toMatchObject({ equal: true, differenceCount: 0 });
    expect(report.streams).toBeGreaterThanOrEqual(500);
  });

  it('when shipping is down, then oms shipping replay says so clearly and exits 1 without a stack trace', async () => {
    // Stopped on purpose, so the keeper leaves it down (a kill would race its restart).
    const down = await oms(['down', '--only', 'shipping']);
    expect(down.exitCode, down.all).toBe(0);
    await eventually(() => json('GET', `${SHIPPING}/health`).then(() => 'up', () => 'down'), (s) => s === 'down', { what: 'shipping down' });
    const res = await oms(['shipping', 'replay']);
    const up = await oms(['up', '--only', 'shipping', '--no-seed']);
    expect(res.exitCode).not.toBe(0);
    expect(res.all).toMatch(/cannot reach the shipping service/);
    expect(res.all).not.toMatch(/\n\s+at /);
    expect(up.exitCode, up.all).toBe(0);
  });
});
