import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { Consumer } from 'kafkajs';
import { z } from 'zod';
import { defineCommand } from '../command.js';
import type { Context } from '../context.js';
import { CheckFailedError } from '../errors.js';
import { ConnectClient } from '../lib/connect.js';
import { endpointsFor, type Endpoints } from '../lib/endpoints.js';
import { expectJson, requestJson } from '../lib/http.js';
import { kafkaClient, withAdmin } from '../lib/kafka.js';
import { groupLag } from '../lib/lag.js';
import { connectorStates, renderStates } from './connectors/status.js';

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

interface GraphOrder {
  id: string;
  total: number;
  customer: { id: string; email: string };
  items: Array<{ sku: string; unitPrice: number; quantity: number; deliveryAddress: { id: string } | null }>;
}

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
        if (message.key?.toString().includes(id) || message.value?.toString().includes(id)) watch.seen.set(topic, Number(message.timestamp));
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
  if (order.customer?.id !== expected.customerId) problems.push(`customer is ${order.customer?.id}, expected ${expected.customerId}`);
  if (order.customer?.email !== expected.email) problems.push(`customer email is ${order.customer?.email}, expected ${expected.email}`);
  for (const line of expected.lines) {
    const item = order.items.find((i) => i.sku === line.sku);
    if (!item) {
      problems.push(`item ${line.sku} is missing`);
      continue;
    }
    if (item.quantity !== line.quantity) problems.push(`${line.sku}: quantity ${item.quantity}, expected ${line.quantity}`);
    if (Math.abs(item.unitPrice - line.price) > 0.001) problems.push(`${line.sku}: unit price ${item.unitPrice}, expected ${line.price}`);
    if (item.deliveryAddress?.id !== expected.addressId) problems.push(`${line.sku}: delivery address ${item.deliveryAddress?.id}, expected ${expected.addressId}`);
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

async function diagnose(ctx: Context, endpoints: Endpoints): Promise<string[]> {
  const lines: string[] = [];
  try {
    const states = await connectorStates(new ConnectClient(endpoints.connectUrl, 5000), ['oms-customers', 'oms-orders', 'oms-graph']);
    lines.push('connectors:', ...renderStates(states).split('\n').map((l) => `  ${l}`));
  } catch (err) {
    lines.push(`connectors: unavailable (${(err as Error).message})`);
  }
  try {
    const lag = await withAdmin(endpoints.kafkaBrokers, (admin) => groupLag(admin, 'orders-stream', ['order', 'order_detail']));
    lines.push('orders-stream consumer lag:', ...lag.map((l) => `  ${l.topic}[${l.partition}] committed ${l.committed ?? '-'} end ${l.end} lag ${l.lag}`));
  } catch (err) {
    lines.push(`orders-stream lag: unavailable (${(err as Error).message})`);
  }
  ctx.out.debug('diagnosis collected');
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

/** Places a real order and follows it hop by hop until GraphQL returns it enriched. */
export async function runSmoke(ctx: Context, timeoutMs: number, pollMs: number): Promise<SmokeResult> {
  const endpoints = endpointsFor(ctx.loaded.config);
  const s = endpoints.services;
  const catalogue = await expectJson<{ items: Array<{ sku: string; price: number }> }>('GET', `${s.products}/products?limit=2`);
  if (catalogue.items.length === 0) throw new CheckFailedError('the catalogue is empty: smoke needs a product to order', { hint: 'run `oms seed` first' });
  const stamp = `${Date.now()}-${randomUUID().slice(0, 8)}`;
  const email = `smoke-${stamp}@oms.example`;
  const customer = await expectJson<{ id: string; addresses: Array<{ id: string }> }>('POST', `${s.customers}/customers`, {
    name: 'Smoke',
    lastName: `Test ${stamp}`,
    email,
    identityDocument: `SMOKE-${stamp}`,
    active: true,
    addresses: [{ streetType: 'AVENUE', streetName: 'Probe avenue', streetNumber: '1', buildingNumber: '1', departmentNumber: '1', reference: 'smoke test', latitude: 51.5, longitude: -0.12 }],
  });
  const addressId = customer.addresses[0]!.id;
  const lines = catalogue.items.map((p, i) => ({ sku: p.sku, quantity: i + 1, price: p.price }));
  let orderId: string | undefined;
  const watch = await TopicWatch.start(endpoints, ['order', 'orders-graph'], () => orderId);
  const times: Partial<Record<HopName, number>> = {};
  let restResponseMs = 0;
  const start = Date.now();
  try {
    const placed = await requestJson<{ id: string; createdAt?: string }>('POST', `${s.orders}/orders`, { customerId: customer.id, items: lines.map((l) => ({ sku: l.sku, quantity: l.quantity, addressId })) });
    if (placed.status !== 201) throw new CheckFailedError(`POST /orders answered ${placed.status}`, { details: [JSON.stringify(placed.body).slice(0, 500)] });
    orderId = placed.body.id;
    restResponseMs = Date.now() - start;
    // The commit is when the service wrote the order (its createdAt, same clock); the response
    // arrives later, often after CDC has already published the row, so it would misorder the hops.
    const createdAt = Date.parse(placed.body.createdAt ?? '');
    times['REST commit'] = Number.isFinite(createdAt) && createdAt >= start - 50 && createdAt <= Date.now() ? Math.max(createdAt, start) : Date.now();
    const deadline = start + timeoutMs;
    let order: GraphOrder | null = null;
    while (!order) {
      if (ctx.signal.aborted) throw new CheckFailedError('interrupted');
      if (Date.now() > deadline) break;
      const res = await requestJson<{ data?: { order: GraphOrder | null }; errors?: unknown }>('POST', `${s.ordersGraph}/graphql`, { query: ORDER_QUERY, variables: { id: orderId } });
      if (res.body?.data?.order) {
        order = res.body.data.order;
        times['visible in GraphQL'] = Date.now();
        break;
      }
      await sleep(pollMs);
    }
    // Kafka hops come from record timestamps; give the watcher a moment to see them.
    for (let i = 0; i < 40 && (!watch.at('order') || !watch.at('orders-graph')) && order; i++) await sleep(25);
    const seenOrder = watch.at('order');
    const seenGraph = watch.at('orders-graph');
    if (seenOrder !== undefined) times['seen on order'] = seenOrder;
    if (seenGraph !== undefined) times['seen on orders-graph'] = seenGraph;
    if (!order) {
      const reached = HOPS.filter((h) => times[h] !== undefined);
      const stalled = HOPS.find((h) => times[h] === undefined)!;
      throw new CheckFailedError(`order ${orderId} did not reach GraphQL within ${timeoutMs / 1000} s: stalled at "${stalled}" — ${STALLED_AT[stalled]}`, {
        details: [
          `reached: ${reached.join(' → ') || '(nothing)'}`,
          ...renderHops(hopsFrom(times, start), null).split('\n').filter(Boolean),
          ...(await diagnose(ctx, endpoints)),
        ],
        hint: `look at \`oms logs ${stalled === 'seen on orders-graph' ? 'orders-stream' : 'connect'}\` and \`oms connectors status\``,
      });
    }
    const problems = verifyOrder(order, { customerId: customer.id, email, addressId, lines });
    if (problems.length > 0) throw new CheckFailedError(`order ${orderId} reached GraphQL but is not enriched correctly`, { details: problems });
    const hops = hopsFrom(times, start);
    return { orderId: orderId!, customerId: customer.id, hops, totalMs: times['visible in GraphQL']! - start, restResponseMs };
  } finally {
    await watch.stop();
  }
}

/** `oms smoke`: proves an order flows REST → CDC → orders-stream → sink → GraphQL. */
export const smokeCommand = defineCommand({
  path: 'smoke',
  summary: 'place a real order and time each hop until GraphQL returns it enriched',
  examples: ['oms smoke                    # prints each hop and the total', 'oms smoke --json | jq .data.totalMs', 'oms smoke --timeout 120     # allow a cold pipeline more time'],
  configure: (cmd) => cmd.option('--timeout <seconds>', 'give up after this long', '60').option('--poll <ms>', 'GraphQL polling interval', '5'),
  schema: z.object({ timeout: z.coerce.number().positive().max(3600), poll: z.coerce.number().int().min(1).max(5000) }),
  run: async ({ timeout, poll }, ctx) => {
    const result = await runSmoke(ctx, timeout * 1000, poll);
    return { data: result, text: `order ${result.orderId}\n${renderHops(result.hops, result.totalMs)}\n(REST response received at ${result.restResponseMs} ms)` };
  },
});
