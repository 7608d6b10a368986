/**
 * `oms smoke`'s operation: a fresh customer and an order over REST, then GraphQL polled
 * until it returns the order enriched, with each hop's time (REST commit, the CDC record on
 * `order`, the processor's record on `orders-graph`, visible in GraphQL). On timeout the
 * error names the hop that stalled, with connector states and the processor's lag.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Consumer } from 'kafkajs';
import type { z } from 'zod';
import type { OpsContext } from '../context.js';
import { CheckFailedError, ExternalError, isOmsError } from '../errors.js';
import { endpointsFor, type Endpoints } from '../lib/endpoints.js';
import { parseAnswer } from '../lib/http.js';
import { type JUnitCase, type JUnitSuite, toJUnitXml } from '../lib/junit.js';
import { kafkaClient, withAdmin } from '../lib/kafka.js';
import { describeProgress, groupProgress } from '../lib/lag.js';
import { pollUntil } from '../lib/retry.js';
import { customerSchema, type GraphOrder, orderQueryAnswer, placedOrderSchema, productPageSchema, reservationSchema, type ServiceClients, serviceClients, shipmentQueryAnswer, stockListSchema } from '../lib/services.js';
import { connectClient, connectorStates, renderStates } from './connectors.js';
import { mentions } from './records.js';
import { PROCESSOR_GROUP } from './status.js';

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

/**
 * Watches topics from their current end and finds, per topic, the first record whose key or
 * value mentions the order id. Records are kept from the start: CDC often publishes the row
 * before the POST's answer has told us the id.
 */
class TopicWatch {
  private readonly records: Array<{ topic: string; key: Buffer | null; value: Buffer | null; at: number }> = [];
  private readonly found = new Map<string, number>();
  private constructor(
    private readonly consumer: Consumer,
    private readonly wanted: () => string | undefined,
  ) {}

  /** More records than a smoke run's window ever sees; past it the oldest are dropped. */
  private static readonly LIMIT = 50_000;

  static async start(endpoints: Endpoints, topics: string[], wanted: () => string | undefined): Promise<TopicWatch> {
    const ends = await withAdmin(endpoints.kafkaBrokers, async (admin) => Object.fromEntries(await Promise.all(topics.map(async (t) => [t, await admin.fetchTopicOffsets(t)] as const))));
    const consumer = kafkaClient(endpoints.kafkaBrokers, 'oms-smoke').consumer({ groupId: `oms-smoke-${randomUUID()}`, maxWaitTimeInMs: 20, sessionTimeout: 10_000 });
    const watch = new TopicWatch(consumer, wanted);
    await consumer.connect();
    for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        if (watch.found.has(topic)) return;
        watch.records.push({ topic, key: message.key ?? null, value: message.value ?? null, at: Number(message.timestamp) });
        if (watch.records.length > TopicWatch.LIMIT) watch.records.shift();
      },
    });
    await joined;
    // Start exactly at the end offsets read before joining, so nothing produced meanwhile is missed.
    for (const [topic, offsets] of Object.entries(ends)) for (const o of offsets) consumer.seek({ topic, partition: o.partition, offset: o.high });
    return watch;
  }

  /** When the first record of `topic` mentioning the wanted id was written, once seen. */
  at(topic: string): number | undefined {
    const known = this.found.get(topic);
    if (known !== undefined) return known;
    const id = this.wanted();
    if (!id) return undefined;
    const hit = this.records.find((r) => r.topic === topic && mentions(r, id));
    if (hit) this.found.set(topic, hit.at);
    return hit?.at;
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
    const states = await connectorStates(connectClient(ctx, 5000), ['oms-customers', 'oms-orders', 'oms-graph', 'oms-shipping']);
    lines.push('connectors:', ...renderStates(states).split('\n').map((l) => `  ${l}`));
  } catch (err) {
    lines.push(`connectors: unavailable (${(err as Error).message})`);
  }
  try {
    const p = await withAdmin(endpoints.kafkaBrokers, (admin) => groupProgress(admin, PROCESSOR_GROUP.group, [...PROCESSOR_GROUP.topics]));
    const members = p.members > 0 ? ` (${p.members} member(s), group ${p.state})` : '';
    lines.push(`${p.group} consumer lag: ${describeProgress(p)}${members}`, ...p.partitions.map((l) => `  ${l.topic}[${l.partition}] committed ${l.committed ?? '-'} end ${l.end} lag ${l.lag}`));
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
  /**
   * The reservation hop, in ms since the POST was sent (the inventory's clock): reserved before
   * the order was written, confirmed when the inventory saw the order's row through CDC.
   */
  reservation: { reservedMs: number; confirmedMs: number };
  /**
   * The shipment hop, in ms since the POST was sent: shipping requested it (its event's time,
   * shipping's clock) when the enriched order reached it on `orders-graph`, and GraphQL showed it
   * (`order.shipment`, through `shipment-events`).
   */
  shipment: { requestedMs: number; visibleMs: number };
}

const SMOKE_ADDRESS = { streetType: 'AVENUE', streetName: 'Probe avenue', streetNumber: '1', buildingNumber: '1', departmentNumber: '1', reference: 'smoke test', latitude: 51.5, longitude: -0.12 };

/** What a demo order is made of: a fresh customer with one address, and up to two products. */
export type DemoOrderPlan = Awaited<ReturnType<typeof prepareDemoOrder>>;

/** A fresh customer with one address, and up to two products with the stock to order them (the console's "place a demo order" too). */
export async function prepareDemoOrder(clients: ServiceClients) {
  const catalogue = await clients.products.json('GET', '/products?limit=20', productPageSchema);
  if (catalogue.items.length === 0) throw new CheckFailedError('the catalogue is empty: smoke needs a product to order', { hint: 'run `oms seed` first' });
  // Line i orders i + 1 units: ask the inventory itself (products' `available` may lag a moment).
  const stock = await clients.inventory.json('GET', `/inventory?skus=${catalogue.items.map((p) => encodeURIComponent(p.sku)).join(',')}`, stockListSchema);
  const stocked = catalogue.items.filter((_, i) => (stock.items[i]?.available ?? 0) >= 2).slice(0, 2);
  if (stocked.length === 0) {
    throw new CheckFailedError('no product among the first 20 has 2 units available: the smoke order would be refused as out of stock', {
      hint: `restock one, e.g. \`curl -XPUT ${clients.inventory.baseUrl}/inventory/${encodeURIComponent(catalogue.items[0]!.sku)} -H 'content-type: application/json' -d '{"onHand":100}'\``,
    });
  }
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
  const lines = stocked.map((p, i) => ({ sku: p.sku, quantity: i + 1, price: p.price }));
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
    if (problems.length > 0) throw new SmokeFailedError(`order ${orderId} reached GraphQL but is not enriched correctly`, hopsFrom(times, start).slice(0, -1), 'visible in GraphQL', Date.now() - start, { details: problems });
    const reservation = await awaitConfirmed(ctx, clients, orderId, times, start, timeoutMs);
    const shipment = await awaitShipment(ctx, clients, orderId, times, start, timeoutMs);
    return { orderId, customerId: customer.id, hops: hopsFrom(times, start), totalMs: times['visible in GraphQL']! - start, restResponseMs, reservation, shipment };
  } finally {
    await watch.stop();
  }
}

/** A smoke run that failed at a hop: the hops reached before it, and how long the run had taken. */
export class SmokeFailedError extends CheckFailedError {
  constructor(
    message: string,
    readonly hops: Hop[],
    readonly failedHop: HopName,
    readonly elapsedMs: number,
    options: { hint?: string; details?: string[] },
  ) {
    super(message, options);
  }
}

/**
 * The reservation hop: reserved (before the order was written) → confirmed (the inventory saw
 * the order's row on topic `order`), from the reservation's own times; waits for the confirm
 * within what is left of the timeout.
 */
async function awaitConfirmed(ctx: OpsContext, clients: ServiceClients, orderId: string, times: Partial<Record<HopName, number>>, start: number, timeoutMs: number): Promise<SmokeResult['reservation']> {
  let last = 'not found';
  const confirmed = await pollUntil(
    async () => {
      const res = await clients.inventory.send('GET', `/reservations/${orderId}`);
      if (res.status !== 200) return undefined;
      const reservation = parseAnswer(reservationSchema, res.body, 'the inventory service (GET /reservations/:orderId)');
      last = reservation.state;
      return reservation.state === 'confirmed' ? reservation : undefined;
    },
    {
      timeoutMs: Math.max(1000, start + timeoutMs - Date.now()),
      minDelayMs: 20,
      signal: ctx.signal,
      onAbort: () => new CheckFailedError('interrupted'),
      onTimeout: () =>
        // Reported on the last hop, as an order that reached GraphQL unenriched is: the run did not complete.
        new SmokeFailedError(
          `order ${orderId} reached GraphQL, but its reservation was not confirmed within ${timeoutMs / 1000} s (it is ${last}): stalled at "confirmed" — the inventory's follower of topic order`,
          hopsFrom(times, start).slice(0, -1),
          'visible in GraphQL',
          Date.now() - start,
          { hint: `look at \`oms logs inventory\` and ${clients.inventory.baseUrl}/health/orders` },
        ),
    },
  );
  return { reservedMs: Math.max(0, Date.parse(confirmed.createdAt) - start), confirmedMs: Math.max(0, Date.parse(confirmed.updatedAt) - start) };
}

const SHIPMENT_QUERY = 'query SmokeShipment($id: ID!) { order(id: $id) { shipment { status history { type at } } } }';

/**
 * The shipment hop: shipping requested the order's shipment (from `orders-graph`) and the read
 * model shows it (from `shipment-events`); waits within what is left of the timeout.
 */
async function awaitShipment(ctx: OpsContext, clients: ServiceClients, orderId: string, times: Partial<Record<HopName, number>>, start: number, timeoutMs: number): Promise<SmokeResult['shipment']> {
  const requested = await pollUntil(
    async () => {
      const res = await clients.ordersGraph.send('POST', '/graphql', { body: { query: SHIPMENT_QUERY, variables: { id: orderId } } });
      if (res.status !== 200) return undefined;
      const event = parseAnswer(shipmentQueryAnswer, res.body, 'the orders-graph service (POST /graphql)').data?.order?.shipment?.history.find((e) => e.type === 'ShipmentRequested');
      return event ? { at: Date.parse(event.at), seen: Date.now() } : undefined;
    },
    {
      timeoutMs: Math.max(1000, start + timeoutMs - Date.now()),
      minDelayMs: 20,
      signal: ctx.signal,
      onAbort: () => new CheckFailedError('interrupted'),
      onTimeout: () =>
        new SmokeFailedError(
          `order ${orderId} reached GraphQL, but no shipment showed up on it within ${timeoutMs / 1000} s: stalled at "shipment requested" — the shipping service's follower of orders-graph, the oms-shipping connector or orders-graph's follower of shipment-events`,
          hopsFrom(times, start).slice(0, -1),
          'visible in GraphQL',
          Date.now() - start,
          { hint: `look at \`oms logs shipping\`, ${clients.shipping.baseUrl}/health/orders and \`oms connectors status\`` },
        ),
    },
  );
  return { requestedMs: Math.max(0, requested.at - start), visibleMs: Math.max(0, requested.seen - start) };
}

/** The shipment hop as text lines under the reservation. */
export function renderShipment({ requestedMs, visibleMs }: SmokeResult['shipment']): string {
  return [`${'shipment requested'.padEnd(22)} ${String(requestedMs).padStart(6)} ms`, `${'shipment in GraphQL'.padEnd(22)} ${String(visibleMs).padStart(6)} ms  (+${Math.max(0, visibleMs - requestedMs)} ms)`].join('\n');
}

/** The reservation hop as text lines under the hops. */
export function renderReservation({ reservedMs, confirmedMs }: SmokeResult['reservation']): string {
  return [`${'stock reserved'.padEnd(22)} ${String(reservedMs).padStart(6)} ms`, `${'reservation confirmed'.padEnd(22)} ${String(confirmedMs).padStart(6)} ms  (+${Math.max(0, confirmedMs - reservedMs)} ms)`].join('\n');
}

/** The timeout error: which hop stalled, the hops reached, and the diagnosis. */
async function stalled(ctx: OpsContext, endpoints: Endpoints, orderId: string, times: Partial<Record<HopName, number>>, start: number, timeoutMs: number): Promise<SmokeFailedError> {
  const reached = HOPS.filter((h) => times[h] !== undefined);
  const hop = HOPS.find((h) => times[h] === undefined)!;
  const hops = hopsFrom(times, start);
  return new SmokeFailedError(`order ${orderId} did not reach GraphQL within ${timeoutMs / 1000} s: stalled at "${hop}" — ${STALLED_AT[hop]}`, hops, hop, Date.now() - start, {
    details: [`reached: ${reached.join(' → ') || '(nothing)'}`, ...renderHops(hops, null).split('\n').filter(Boolean), ...(await diagnose(ctx, endpoints))],
    hint: `look at \`oms logs ${hop === 'seen on orders-graph' ? 'orders-stream' : 'connect'}\` and \`oms connectors status\``,
  });
}

/** How a smoke run ended: its result, or what stopped it. */
export type SmokeOutcome = { ok: true; result: SmokeResult } | { ok: false; error: unknown };

const CLASSNAME = 'oms.smoke';

/**
 * The JUnit suite of a smoke run, as CI systems read it: a test case per hop with that hop's
 * time. A failure is the hop that did not happen (for an error before the order was placed,
 * the first hop), carrying the message, the diagnosis and the hint; the hops after it are
 * skipped. Pure: `elapsedMs` is how long the run took when the error carries no time of its own.
 */
export function smokeSuite(outcome: SmokeOutcome, startedAt: Date, elapsedMs: number, hostname?: string): JUnitSuite {
  const base = { name: 'oms smoke', timestamp: startedAt, ...(hostname ? { hostname } : {}) };
  if (outcome.ok) {
    const { result } = outcome;
    return { ...base, cases: result.hops.map((h) => ({ name: h.hop, classname: CLASSNAME, timeMs: h.deltaMs })), systemOut: `order ${result.orderId}\n${renderHops(result.hops, result.totalMs)}\n` };
  }
  const err = outcome.error;
  const stalledRun = err instanceof SmokeFailedError ? err : undefined;
  const reached = stalledRun?.hops ?? [];
  const failedHop = stalledRun?.failedHop ?? HOPS[0];
  const spent = Math.max(0, (stalledRun?.elapsedMs ?? elapsedMs) - (reached.at(-1)?.atMs ?? 0));
  const message = err instanceof Error ? err.message : String(err);
  const body = isOmsError(err) ? [...err.details, ...(err.hint ? [`hint: ${err.hint}`] : [])] : [];
  const cases: JUnitCase[] = HOPS.map((hop): JUnitCase => {
    const done = reached.find((h) => h.hop === hop);
    if (done) return { name: hop, classname: CLASSNAME, timeMs: done.deltaMs };
    if (hop === failedHop) return { name: hop, classname: CLASSNAME, timeMs: spent, failure: { message, type: err instanceof Error ? err.name : 'Error', details: body.join('\n') } };
    return { name: hop, classname: CLASSNAME, timeMs: 0, skipped: `not reached: the order stopped at "${failedHop}"` };
  });
  return { ...base, cases, systemOut: `${message}\n${body.join('\n')}\n` };
}

export interface SmokeReport {
  outcome: SmokeOutcome;
  suite: JUnitSuite;
  /** Where the JUnit XML was written, when asked for. */
  junitFile: string | null;
}

/**
 * Runs the smoke and builds its JUnit suite, writing it to `junitFile` when given (its dir is
 * created before the order is placed, so a path that cannot be written fails first). The
 * smoke's own failure is in `outcome`, not thrown: the report is written either way.
 */
export async function smokeWithReport(ctx: OpsContext, opts: { timeoutMs: number; pollMs: number; junitFile?: string }): Promise<SmokeReport> {
  const file = opts.junitFile ? path.resolve(ctx.cwd, opts.junitFile) : null;
  if (file) {
    await mkdir(path.dirname(file), { recursive: true }).catch((err: unknown) => {
      throw new ExternalError(`cannot create the directory of the JUnit report ${file}: ${(err as Error).message}`, { hint: 'give --junit a path in a writable directory' });
    });
  }
  const startedAt = new Date();
  const outcome: SmokeOutcome = await runSmoke(ctx, opts.timeoutMs, opts.pollMs).then(
    (result) => ({ ok: true as const, result }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  const suite = smokeSuite(outcome, startedAt, Date.now() - startedAt.getTime(), hostname());
  if (file) {
    await writeFile(file, toJUnitXml(suite)).catch((err: unknown) => {
      throw new ExternalError(`cannot write the JUnit report ${file}: ${(err as Error).message}`, { hint: 'give --junit a path in a writable directory' });
    });
  }
  return { outcome, suite, junitFile: file };
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
