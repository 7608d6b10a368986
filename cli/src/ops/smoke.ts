/**
 * `oms smoke`'s operation: a fresh customer and an order over REST, then GraphQL polled
 * until it returns the order enriched, with each hop's time (REST commit, the CDC record on
 * `order`, the processor's record on `orders-graph`, visible in GraphQL). On timeout the
 * error names the hop that stalled, with connector states and the processor's lag.
 */
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import type { z } from 'zod';
import type { OpsContext } from '../context.js';
import { CheckFailedError } from '../errors.js';
import { endpointsFor, type Endpoints } from '../lib/endpoints.js';
import { parseAnswer } from '../lib/http.js';
import { kafkaClient, withAdmin } from '../lib/kafka.js';
import { groupLag } from '../lib/lag.js';
import { pollUntil } from '../lib/retry.js';
import { customerSchema, type GraphOrder, orderQueryAnswer, placedOrderSchema, productPageSchema, type ServiceClients, serviceClients } from '../lib/services.js';
import { connectClient, connectorStates, renderStates } from './connectors.js';
import { ORDERS_STREAM_GROUP } from './groups.js';
import { mentions } from './records.js';

export const HOPS = ['REST commit', 'seen on order', 'seen on orders-graph', 'visible in GraphQL'] as const;
export type HopName = (typeof HOPS)[number];

export interface Hop {
  hop: HopName;
  /** Milliseconds since the POST /orders was sent. */
  atMs: number;
  /** Milliseconds since the previous hop. */
  deltaMs: number;
}

/** Which component a missing hop points at, for the timeout message. */
const STALLED_AT: Record<HopName, string> = {
  'REST commit': 'the orders service',
  'seen on order': 'CDC: the oms-orders Debezium connector (MariaDB binlog → topic order)',
  'seen on orders-graph': 'orders-stream (topic order/order_detail → orders-graph)',
  'visible in GraphQL': 'the oms-graph JDBC sink (orders-graph → PostgreSQL) or the orders-graph service',
};

const ORDER_QUERY = `query Smoke($id: ID!) { order(id: $id) { id total createdAt
  customer { id name lastName email }
  items { sku description unitPrice quantity lineTotal deliveryAddress { id } } } }`;

/** Watches topics from their current end for records whose key mentions an id; resolves timestamps. */
class TopicWatch {
  private readonly seen = new Map<string, number>();
  private constructor(
    private readonly consumer: Consumer,
    private readonly wanted: () => string | undefined,
  ) {}

  static async start(endpoints: Endpoints, topics: string[], wanted: () => string | undefined): Promise<TopicWatch> {
    const ends = await withAdmin(endpoints.kafkaBrokers, async (admin) => Object.fromEntries(await Promise.all(topics.map(async (t) => [t, await admin.fetchTopicOffsets(t)] as const))));
    const consumer = kafkaClient(endpoints.kafkaBrokers, 'oms-smoke').consumer({ groupId: `oms-smoke-${randomUUID()}`, maxWaitTimeInMs: 20, sessionTimeout: 10_000 });
    const watch = new TopicWatch(consumer, wanted);
    await consumer.connect();
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const id = watch.wanted();
        if (!id || watch.seen.has(topic)) return;
        if (mentions({ key: message.key ?? null, value: message.value ?? null }, id)) watch.seen.set(topic, Number(message.timestamp));
      },
    });
    await joined;
    // Start exactly at the end offsets read before joining, so nothing produced meanwhile is missed.
    for (const [topic, offsets] of Object.entries(ends)) for (const o of offsets) consumer.seek({ topic, partition: o.partition, offset: o.high });
    return watch;
  }

  at(topic: string): number | undefined {
    return this.seen.get(topic);
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect().catch(() => {});
  }
}

/** Checks the enriched order against what was placed; returns the problems. */
export function verifyOrder(order: GraphOrder, expected: { customerId: string; email: string; addressId: string; lines: Array<{ sku: string; quantity: number; price: number }> }): string[] {
  const problems: string[] = [];
  if (order.customer?.id !== expected.customerId) problems.push(`customer is ${String(order.customer?.id)}, expected ${expected.customerId}`);
  if (order.customer?.email !== expected.email) problems.push(`customer email is ${String(order.customer?.email)}, expected ${expected.email}`);
  for (const line of expected.lines) {
    const item = order.items.find((i) => i.sku === line.sku);
    if (!item) {
      problems.push(`item ${line.sku} is missing`);
      continue;
    }
    if (item.quantity !== line.quantity) problems.push(`${line.sku}: quantity ${item.quantity}, expected ${line.quantity}`);
    if (Math.abs(item.unitPrice - line.price) > 0.001) problems.push(`${line.sku}: unit price ${item.unitPrice}, expected ${line.price}`);
    if (item.deliveryAddress?.id !== expected.addressId) problems.push(`${line.sku}: delivery address ${String(item.deliveryAddress?.id)}, expected ${expected.addressId}`);
  }
  if (order.items.length !== expected.lines.length) problems.push(`${order.items.length} items, expected ${expected.lines.length}`);
  const cents = expected.lines.reduce((sum, l) => sum + Math.round(l.price * 100) * l.quantity, 0);
  if (Math.round(order.total * 100) !== cents) problems.push(`total ${order.total}, expected ${(cents / 100).toFixed(2)}`);
  return problems;
}

export function hopsFrom(times: Partial<Record<HopName, number>>, start: number): Hop[] {
  const hops: Hop[] = [];
  let prev = 0;
  for (const hop of HOPS) {
    const t = times[hop];
    if (t === undefined) break;
    const atMs = Math.max(0, Math.round(t - start));
    hops.push({ hop, atMs, deltaMs: Math.max(0, atMs - prev) });
    prev = atMs;
  }
  return hops;
}

export function renderHops(hops: Hop[], totalMs: number | null): string {
  const lines = hops.map((h) => `${h.hop.padEnd(22)} ${String(h.atMs).padStart(6)} ms  (+${h.deltaMs} ms)`);
  if (totalMs !== null) lines.push(`${'total'.padEnd(22)} ${String(totalMs).padStart(6)} ms`);
  return lines.join('\n');
}

/** Connector states and the processor's lag, for the timeout message (each part may be unavailable). */
async function diagnose(ctx: OpsContext, endpoints: Endpoints): Promise<string[]> {
  const lines: string[] = [];
  try {
    const states = await connectorStates(connectClient(ctx, 5000), ['oms-customers', 'oms-orders', 'oms-graph']);
    lines.push('connectors:', ...renderStates(states).split('\n').map((l) => `  ${l}`));
  } catch (err) {
    lines.push(`connectors: unavailable (${(err as Error).message})`);
  }
  try {
    const lag = await withAdmin(endpoints.kafkaBrokers, (admin) => groupLag(admin, ORDERS_STREAM_GROUP, ['order', 'order_detail']));
    lines.push('orders-stream consumer lag:', ...lag.map((l) => `  ${l.topic}[${l.partition}] committed ${l.committed ?? '-'} end ${l.end} lag ${l.lag}`));
  } catch (err) {
    lines.push(`orders-stream lag: unavailable (${(err as Error).message})`);
  }
  ctx.debug('diagnosis collected');
  return lines;
}

export interface SmokeResult {
  orderId: string;
  customerId: string;
  hops: Hop[];
  totalMs: number;
  /** When the POST's response arrived (the service answers after its commit). */
  restResponseMs: number;
}

const SMOKE_ADDRESS = { streetType: 'AVENUE', streetName: 'Probe avenue', streetNumber: '1', buildingNumber: '1', departmentNumber: '1', reference: 'smoke test', latitude: 51.5, longitude: -0.12 };

/** What a demo order is made of: a fresh customer with one address, and up to two products. */
export type DemoOrderPlan = Awaited<ReturnType<typeof prepareDemoOrder>>;

/** A fresh customer with one address, and up to two products to order (the console's "place a demo order" too). */
export async function prepareDemoOrder(clients: ServiceClients) {
  const catalogue = await clients.products.json('GET', '/products?limit=2', productPageSchema);
  if (catalogue.items.length === 0) throw new CheckFailedError('the catalogue is empty: smoke needs a product to order', { hint: 'run `oms seed` first' });
  const stamp = `${Date.now()}-${randomUUID().slice(0, 8)}`;
  const email = `smoke-${stamp}@oms.example`;
  const customer = await clients.customers.json('POST', '/customers', customerSchema, {
    name: 'Smoke',
    lastName: `Test ${stamp}`,
    email,
    identityDocument: `SMOKE-${stamp}`,
    active: true,
    addresses: [SMOKE_ADDRESS],
  });
  const lines = catalogue.items.map((p, i) => ({ sku: p.sku, quantity: i + 1, price: p.price }));
  return { customer, email, addressId: customer.addresses[0]!.id, lines };
}

class NotVisible extends Error {}

/** Places the planned order over REST; anything but a 201 fails the check. */
export async function submitDemoOrder(clients: ServiceClients, plan: DemoOrderPlan): Promise<z.infer<typeof placedOrderSchema>> {
  const { customer, addressId, lines } = plan;
  const res = await clients.orders.send('POST', '/orders', { body: { customerId: customer.id, items: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, addressId })) } });
  if (res.status !== 201) throw new CheckFailedError(`POST /orders answered ${res.status}`, { details: [JSON.stringify(res.body).slice(0, 500)] });
  return parseAnswer(placedOrderSchema, res.body, 'the orders service (POST /orders)');
}

/** The order as GraphQL returns it now: undefined until the read model has it (or while the service answers another status); a 200 of another shape is the service's fault. */
export async function fetchGraphOrder(clients: Pick<ServiceClients, 'ordersGraph'>, orderId: string): Promise<GraphOrder | undefined> {
  const res = await clients.ordersGraph.send('POST', '/graphql', { body: { query: ORDER_QUERY, variables: { id: orderId } } });
  if (res.status !== 200) return undefined;
  return parseAnswer(orderQueryAnswer, res.body, 'the orders-graph service (POST /graphql)').data?.order ?? undefined;
}

/** Polls GraphQL every `pollMs` until it returns the order (null at the deadline). */
async function awaitGraph(ctx: OpsContext, clients: ServiceClients, orderId: string, deadline: number, pollMs: number): Promise<GraphOrder | null> {
  return pollUntil(
    () => fetchGraphOrder(clients, orderId),
    { timeoutMs: Math.max(0, deadline - Date.now()), minDelayMs: pollMs, signal: ctx.signal, onAbort: () => new CheckFailedError('interrupted'), onTimeout: () => new NotVisible() },
  ).catch((err: unknown) => {
    if (err instanceof NotVisible) return null;
    throw err;
  });
}

/** The REST commit: the order's createdAt (same clock) when plausible; the response arrives later, often after CDC already published the row. */
function commitTime(createdAt: string | undefined, start: number): number {
  const t = Date.parse(createdAt ?? '');
  return Number.isFinite(t) && t >= start - 50 && t <= Date.now() ? Math.max(t, start) : Date.now();
}

/** Places a real order and follows it hop by hop until GraphQL returns it enriched. */
export async function runSmoke(ctx: OpsContext, timeoutMs: number, pollMs: number): Promise<SmokeResult> {
  const endpoints = endpointsFor(ctx.loaded.config);
  const clients = serviceClients(endpoints);
  const plan = await prepareDemoOrder(clients);
  const { customer, email, addressId, lines } = plan;
  let orderId: string | undefined;
  const watch = await TopicWatch.start(endpoints, ['order', 'orders-graph'], () => orderId);
  const times: Partial<Record<HopName, number>> = {};
  const start = Date.now();
  try {
    const placed = await submitDemoOrder(clients, plan);
    orderId = placed.id;
    const restResponseMs = Date.now() - start;
    times['REST commit'] = commitTime(placed.createdAt, start);
    const order = await awaitGraph(ctx, clients, orderId, start + timeoutMs, pollMs);
    if (order) times['visible in GraphQL'] = Date.now();
    // Kafka hops come from record timestamps; give the watcher a moment to see them.
    if (order) await pollUntil(async () => (watch.at('order') && watch.at('orders-graph') ? true : undefined), { timeoutMs: 1000, minDelayMs: 25, onTimeout: () => new NotVisible() }).catch(() => undefined);
    for (const [hop, topic] of [['seen on order', 'order'], ['seen on orders-graph', 'orders-graph']] as const) {
      const at = watch.at(topic);
      if (at !== undefined) times[hop] = at;
    }
    if (!order) throw await stalled(ctx, endpoints, orderId, times, start, timeoutMs);
    const problems = verifyOrder(order, { customerId: customer.id, email, addressId, lines });
    if (problems.length > 0) throw new CheckFailedError(`order ${orderId} reached GraphQL but is not enriched correctly`, { details: problems });
    return { orderId, customerId: customer.id, hops: hopsFrom(times, start), totalMs: times['visible in GraphQL']! - start, restResponseMs };
  } finally {
    await watch.stop();
  }
}

/** The timeout error: which hop stalled, the hops reached, and the diagnosis. */
async function stalled(ctx: OpsContext, endpoints: Endpoints, orderId: string, times: Partial<Record<HopName, number>>, start: number, timeoutMs: number): Promise<CheckFailedError> {
  const reached = HOPS.filter((h) => times[h] !== undefined);
  const hop = HOPS.find((h) => times[h] === undefined)!;
  return new CheckFailedError(`order ${orderId} did not reach GraphQL within ${timeoutMs / 1000} s: stalled at "${hop}" — ${STALLED_AT[hop]}`, {
    details: [`reached: ${reached.join(' → ') || '(nothing)'}`, ...renderHops(hopsFrom(times, start), null).split('\n').filter(Boolean), ...(await diagnose(ctx, endpoints))],
    hint: `look at \`oms logs ${hop === 'seen on orders-graph' ? 'orders-stream' : 'connect'}\` and \`oms connectors status\``,
  });
}

export interface DemoOrder {
  orderId: string;
  customerId: string;
  email: string;
  /** ISO time the order service gave it. */
  createdAt: string | null;
}

/** Places one demo order (a fresh customer, up to two products) over REST, as smoke does, without waiting for it. */
export async function placeDemoOrder(ctx: OpsContext): Promise<DemoOrder> {
  const clients = serviceClients(endpointsFor(ctx.loaded.config));
  const plan = await prepareDemoOrder(clients);
  const placed = await submitDemoOrder(clients, plan);
  return { orderId: placed.id, customerId: plan.customer.id, email: plan.email, createdAt: placed.createdAt ?? null };
}
