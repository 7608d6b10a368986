/**
 * Where one order is in the pipeline, hop by hop: its MariaDB row, its records on `order`
 * and `order_detail`, the processor's record on `orders-graph`, the read model's row in
 * PostgreSQL and the GraphQL answer — each with its time and the delta to the hop before.
 * `oms trace` and the console's trace page both read through here; `watchTrace` keeps
 * looking until every hop is there (what the console shows for a fresh demo order).
 */
import type { Admin } from 'kafkajs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { z } from 'zod';
import type { OpsContext } from '../context.js';
import { ExternalError, NotFoundError, UsageError } from '../errors.js';
import { endpointsFor, type Endpoints } from '../lib/endpoints.js';
import { type HttpClient, httpClient, unreachableReason } from '../lib/http.js';
import { withAdmin } from '../lib/kafka.js';
import { pollUntil } from '../lib/retry.js';
import type { GraphOrder } from '../lib/services.js';
import { scanRanges, type PartitionRange } from '../lib/topic-reader.js';
import { mentions } from './records.js';
import { fetchGraphOrder } from './smoke.js';

export const HOP_IDS = ['mariadb', 'order', 'order_detail', 'orders-graph', 'postgres', 'graphql'] as const;
export type HopId = (typeof HOP_IDS)[number];

/** Where each hop is looked for; the defaults are the pipeline's, tests pass their own. */
export interface TraceTargets {
  mysql: { host: string; port: number; user: string; password: string; database: string; table: string };
  topics: { order: string; orderDetail: string; graph: string };
  postgres: { host: string; port: number; user: string; password: string; database: string; table: string };
  kafkaBrokers: string[];
  ordersGraphUrl: string;
}

export function traceTargets(e: Endpoints): TraceTargets {
  return {
    mysql: { host: e.mysql.host, port: e.mysql.port, user: e.mysql.user, password: e.mysql.password, database: 'orders', table: 'order' },
    topics: { order: 'order', orderDetail: 'order_detail', graph: 'orders-graph' },
    postgres: { ...e.postgres, table: 'orders' },
    kafkaBrokers: e.kafkaBrokers,
    ordersGraphUrl: e.services.ordersGraph,
  };
}

/** A record of the order on a topic. */
export interface TraceRecordRef {
  partition: number;
  offset: string;
  timestamp: string;
}

export interface TraceHop {
  id: HopId;
  title: string;
  found: boolean;
  /** When the hop happened (ISO); null when not found, or when the store keeps no time and the trace did not see it appear. */
  at: string | null;
  /** Where `at` comes from: the row's created_at, the record's timestamp, or the moment this trace first saw it. */
  timeSource: 'created_at' | 'record timestamp' | 'first seen' | null;
  /** Milliseconds since the previous hop that has a time. */
  deltaMs: number | null;
  /** Topic hops: the order's records (partition, offset, timestamp). */
  records: TraceRecordRef[];
  /** One line: what was found (or not), and where it was looked for. */
  detail: string;
  /** What the hop holds, when it is small: the row's fields, the GraphQL answer; else null. */
  data: unknown;
}

export interface TraceResult {
  orderId: string;
  /** Every hop found, with all of the order's detail records. */
  complete: boolean;
  hops: TraceHop[];
  /** From the MariaDB row to the last hop with a time; null when fewer than two hops have one. */
  totalMs: number | null;
  /** ISO time of the last look. */
  checkedAt: string;
}

const orderIdSchema = z.uuid();

/** A usage error for what cannot be an order id (they are UUIDs). */
export function parseOrderId(raw: string): string {
  const parsed = orderIdSchema.safeParse(raw.trim());
  if (!parsed.success) throw new UsageError(`"${raw}" is not an order id (order ids are UUIDs, like 3f2b8c1e-…)`, { hint: '`oms smoke` prints a fresh one; `GET /orders?customerId=…` lists a customer\'s' });
  return parsed.data.toLowerCase();
}

interface TopicProgress {
  /** Next offset to look at, per partition. */
  next: Map<number, string>;
  records: TraceRecordRef[];
  /** Records looked at so far, and the partitions: for "what was checked". */
  scanned: number;
  partitions: number;
  missing: boolean;
}

interface Seen {
  at: number;
  detail: string;
  /** Not there on the trace's first look: `at` is when it appeared (within one look's interval). */
  appeared: boolean;
  data: unknown;
}

const ROW_SCHEMA = z.object({ line_count: z.number().int(), created_at: z.date() });
const PG_ROW_SCHEMA = z.object({ total: z.union([z.string(), z.number()]).nullable(), items: z.unknown(), updated_at: z.date().nullable() });

/**
 * One trace: the connections it holds and what it learned so far, so that `watchTrace` only
 * reads what is new on each look.
 */
class TraceSession {
  private row: { lineCount: number; createdAt: number } | undefined;
  private rowChecked = false;
  private readonly topics = new Map<string, TopicProgress>();
  private pgRow: Seen | undefined;
  private graph: Seen | undefined;
  private readonly problems = new Map<HopId, string>();
  private looks = 0;

  constructor(
    private readonly targets: TraceTargets,
    readonly orderId: string,
    /** Give PostgreSQL and GraphQL the time a later look first saw them (a watch starts before those hops happen). */
    private readonly watching: boolean,
    private readonly signal: AbortSignal,
    opts: { fromCreation?: boolean; pg?: pg.Client } = {},
  ) {
    this.fromCreation = opts.fromCreation ?? false;
    this.pg = opts.pg;
  }

  /** The session existed before the order did: whatever a look finds appeared after the watch began. */
  private readonly fromCreation: boolean;

  private async lookUpRow(): Promise<void> {
    const m = this.targets.mysql;
    let conn: mysql.Connection | undefined;
    try {
      conn = await mysql.createConnection({ host: m.host, port: m.port, user: m.user, password: m.password, database: m.database, timezone: 'Z', connectTimeout: 3000 });
      const [rows] = await conn.query(`SELECT line_count, created_at FROM \`${m.table}\` WHERE id = ?`, [this.orderId]);
      const row = (rows as unknown[])[0];
      this.rowChecked = true;
      this.problems.delete('mariadb');
      if (row) {
        const r = ROW_SCHEMA.parse(row);
        this.row = { lineCount: r.line_count, createdAt: r.created_at.getTime() };
      }
    } catch (err) {
      this.problems.set('mariadb', `MariaDB unavailable (${unreachableReason(err)})`);
    } finally {
      await conn?.end().catch(() => undefined);
    }
  }

  /** Where a topic is first read from: a minute before the order was created (clock slack), or its beginning when there is no row. */
  private async startOffsets(admin: Admin, topic: string): Promise<Map<number, string>> {
    const offsets = this.row ? await admin.fetchTopicOffsetsByTimestamp(topic, this.row.createdAt - 60_000) : (await admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, offset: o.low }));
    return new Map(offsets.map((o) => [o.partition, o.offset]));
  }

  private wantsMore(topicKey: 'order' | 'orderDetail' | 'graph'): boolean {
    const p = this.topics.get(this.targets.topics[topicKey]);
    if (!p) return true;
    if (topicKey === 'orderDetail') return this.row ? p.records.length < this.row.lineCount : p.records.length === 0;
    return p.records.length === 0;
  }

  private async scanTopics(): Promise<void> {
    const wanted = (['order', 'orderDetail', 'graph'] as const).filter((k) => this.wantsMore(k)).map((k) => this.targets.topics[k]);
    if (wanted.length === 0) return;
    const brokers = this.targets.kafkaBrokers;
    let ranges: PartitionRange[];
    try {
      ranges = await withAdmin(brokers, async (admin) => {
        const existing = new Set(await admin.listTopics());
        const all: PartitionRange[] = [];
        for (const topic of wanted) {
          let p = this.topics.get(topic);
          if (!existing.has(topic)) {
            this.topics.set(topic, { next: new Map(), records: [], scanned: 0, partitions: 0, missing: true });
            continue;
          }
          if (!p || p.missing) {
            p = { next: await this.startOffsets(admin, topic), records: [], scanned: 0, partitions: 0, missing: false };
            this.topics.set(topic, p);
          }
          const ends = await admin.fetchTopicOffsets(topic);
          p.partitions = ends.length;
          for (const e of ends) all.push({ topic, partition: e.partition, from: p.next.get(e.partition) ?? e.low, to: e.high });
        }
        return all;
      });
      for (const t of wanted) this.problems.delete(hopOfTopic(this.targets, t));
    } catch (err) {
      for (const t of wanted) this.problems.set(hopOfTopic(this.targets, t), `Kafka unavailable (${unreachableReason(err)})`);
      return;
    }
    try {
      const { complete } = await scanRanges(
        brokers,
        ranges,
        (r) => {
          const p = this.topics.get(r.topic)!;
          p.scanned++;
          const known = p.records.some((x) => x.partition === r.partition && x.offset === r.offset);
          if (!known && mentions(r, this.orderId)) p.records.push({ partition: r.partition, offset: r.offset, timestamp: new Date(r.timestamp).toISOString() });
        },
        { timeoutMs: 15_000, signal: this.signal },
      );
      // The next look starts where this one ended; a read cut short is read again.
      if (complete) for (const r of ranges) this.topics.get(r.topic)?.next.set(r.partition, r.to);
    } catch (err) {
      for (const t of wanted) this.problems.set(hopOfTopic(this.targets, t), `reading ${t} failed (${unreachableReason(err)})`);
    }
  }

  /** One client for the session's life: a watch asks every few tens of milliseconds. */
  private pg: pg.Client | undefined;

  private async readModelClient(): Promise<pg.Client> {
    this.pg ??= await connectReadModel(this.targets);
    return this.pg;
  }

  /** The read model's row; its time is when the query went out (the row was there by then, and not at the previous query). */
  private async lookUpReadModel(): Promise<void> {
    if (this.pgRow) return;
    const p = this.targets.postgres;
    try {
      const client = await this.readModelClient();
      const asked = Date.now();
      const res = await client.query(`SELECT total, items, updated_at FROM ${client.escapeIdentifier(p.table)} WHERE id = $1`, [this.orderId]);
      this.problems.delete('postgres');
      const row = res.rows[0] as unknown;
      if (row) {
        const r = PG_ROW_SCHEMA.parse(row);
        const items = Array.isArray(r.items) ? r.items.length : 0;
        // GraphQL reads this row: if it answered first, the row was there by then.
        this.pgRow = { at: Math.min(asked, this.graph?.at ?? asked), detail: `row in ${p.database}.${p.table}: total ${r.total ?? '-'}, ${items} item(s)`, appeared: this.fromCreation || this.looks > 0, data: { total: r.total === null ? null : Number(r.total), items, updatedAt: r.updated_at?.toISOString() ?? null } };
      }
    } catch (err) {
      const client = this.pg;
      this.pg = undefined;
      await client?.end().catch(() => undefined);
      this.problems.set('postgres', `PostgreSQL unavailable (${unreachableReason(err)})`);
    }
  }

  private ordersGraph: HttpClient | undefined;

  private async lookUpGraph(): Promise<void> {
    if (this.graph) return;
    try {
      const asked = Date.now();
      this.ordersGraph ??= httpClient({ service: 'the orders-graph service', baseUrl: this.targets.ordersGraphUrl, timeoutMs: 5000 });
      const order: GraphOrder | undefined = await fetchGraphOrder({ ordersGraph: this.ordersGraph }, this.orderId);
      this.problems.delete('graphql');
      // GraphQL reads the read model: it cannot have answered before the row was there.
      if (order) this.graph = { at: Math.max(asked, this.pgRow?.at ?? 0), detail: `order(id) answered: total ${order.total}, ${order.items.length} item(s), customer ${order.customer?.email ?? '-'}`, appeared: this.fromCreation || this.looks > 0, data: order };
    } catch (err) {
      this.problems.set('graphql', err instanceof ExternalError ? err.message : `the orders-graph service failed (${unreachableReason(err)})`);
    }
  }

  /** The row, then the topics (scans take a while) beside the read model and GraphQL. */
  async look(): Promise<TraceResult> {
    if (!this.row) await this.lookUpRow();
    await Promise.all([this.scanTopics(), this.lookUpReadModel().then(() => this.lookUpGraph())]);
    this.looks++;
    return this.result();
  }

  /** Another look at MariaDB and the topics only; true when their hops are all there. */
  async lookAtPipeline(): Promise<boolean> {
    if (!this.row) await this.lookUpRow();
    await this.scanTopics();
    return Boolean(this.row) && !(['order', 'orderDetail', 'graph'] as const).some((k) => this.wantsMore(k));
  }

  /** Another look at the read model and GraphQL only (quick: a watch times their appearance by it); true when both are there. */
  async lookAtReadModel(): Promise<boolean> {
    await this.lookUpReadModel();
    await this.lookUpGraph();
    return Boolean(this.pgRow && this.graph);
  }

  get firstLook(): boolean {
    return this.looks <= 1;
  }

  async close(): Promise<void> {
    const client = this.pg;
    this.pg = undefined;
    await client?.end().catch(() => undefined);
  }

  private topicHop(id: 'order' | 'order_detail' | 'orders-graph', topic: string, title: string): Omit<TraceHop, 'deltaMs'> {
    const p = this.topics.get(topic);
    const records = [...(p?.records ?? [])].sort((a, b) => Date.parse(a.timestamp) - Date.parse(b.timestamp));
    // The hop happened with the first record (later ones are updates or a re-emission); for
    // the details, when the last line of the order arrived.
    const last = id === 'order_detail' ? records[Math.min(records.length, this.row?.lineCount ?? records.length) - 1] : records[0];
    const looked = p?.missing ? `topic ${topic} does not exist` : `${p?.scanned ?? 0} record(s) of ${topic} read (${p?.partitions ?? 0} partitions, ${this.row ? 'from a minute before the order was created' : 'from the beginning'})`;
    const problem = this.problems.get(id);
    const want = id === 'order_detail' && this.row ? ` of ${this.row.lineCount}` : '';
    const detail = problem ?? (records.length > 0 ? `${records.length}${want} record(s): ${records.map((r) => `partition ${r.partition} offset ${r.offset}`).join(', ')}` : `no record of the order: ${looked}`);
    return { id, title, found: records.length > 0, at: last?.timestamp ?? null, timeSource: last ? 'record timestamp' : null, records, detail, data: null };
  }

  private seenHop(id: 'postgres' | 'graphql', title: string, seen: Seen | undefined, absent: string): Omit<TraceHop, 'deltaMs'> {
    // A time only when this trace saw the hop appear: the read model keeps no write time.
    const timed = seen && this.watching && seen.appeared;
    return { id, title, found: Boolean(seen), at: timed ? new Date(seen.at).toISOString() : null, timeSource: timed ? 'first seen' : null, records: [], detail: this.problems.get(id) ?? seen?.detail ?? absent, data: seen?.data ?? null };
  }

  result(): TraceResult {
    const t = this.targets;
    const m = t.mysql;
    const mariadb: Omit<TraceHop, 'deltaMs'> = this.row
      ? { id: 'mariadb', title: `MariaDB row ${m.database}.${m.table}`, found: true, at: new Date(this.row.createdAt).toISOString(), timeSource: 'created_at', records: [], detail: `line_count ${this.row.lineCount}`, data: { lineCount: this.row.lineCount } }
      : { id: 'mariadb', title: `MariaDB row ${m.database}.${m.table}`, found: false, at: null, timeSource: null, records: [], detail: this.problems.get('mariadb') ?? (this.rowChecked ? `no row with id ${this.orderId}` : 'not checked'), data: null };
    const hops = [
      mariadb,
      this.topicHop('order', t.topics.order, `record on ${t.topics.order}`),
      this.topicHop('order_detail', t.topics.orderDetail, `records on ${t.topics.orderDetail}`),
      this.topicHop('orders-graph', t.topics.graph, `record on ${t.topics.graph}`),
      this.seenHop('postgres', `PostgreSQL row ${t.postgres.database}.${t.postgres.table}`, this.pgRow, `no row with id ${this.orderId} in ${t.postgres.database}.${t.postgres.table}`),
      this.seenHop('graphql', 'GraphQL order(id)', this.graph, `order(id) answered null at ${t.ordersGraphUrl}/graphql`),
    ];
    let previous: number | undefined;
    let first: number | undefined;
    const withDeltas = hops.map((h): TraceHop => {
      const at = h.at ? Date.parse(h.at) : undefined;
      const deltaMs = at !== undefined && previous !== undefined ? at - previous : null;
      if (at !== undefined) {
        first ??= at;
        previous = at;
      }
      return { ...h, deltaMs };
    });
    const detailsComplete = !this.row || (this.topics.get(t.topics.orderDetail)?.records.length ?? 0) >= this.row.lineCount;
    return {
      orderId: this.orderId,
      complete: withDeltas.every((h) => h.found) && detailsComplete,
      hops: withDeltas,
      totalMs: first !== undefined && previous !== undefined && previous !== first ? previous - first : null,
      checkedAt: new Date().toISOString(),
    };
  }
}

/** A connected client of the read model (errors after connecting are left to the queries). */
async function connectReadModel(t: TraceTargets): Promise<pg.Client> {
  const p = t.postgres;
  const client = new pg.Client({ host: p.host, port: p.port, user: p.user, password: p.password, database: p.database, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

function hopOfTopic(t: TraceTargets, topic: string): HopId {
  return topic === t.topics.order ? 'order' : topic === t.topics.orderDetail ? 'order_detail' : 'orders-graph';
}

/** "Not found at any hop", with every place that was looked at. */
function notFound(result: TraceResult): NotFoundError {
  return new NotFoundError(`order ${result.orderId} was not found at any hop`, {
    details: result.hops.map((h) => `${h.title}: ${h.detail}`),
    hint: 'check the id (`oms smoke` prints a fresh one); an order placed a moment ago may still be on its way: `oms trace <id> --wait 10`',
  });
}

export interface TraceOptions {
  targets?: TraceTargets;
}

/** One look at every hop. An id found nowhere is a NotFoundError listing what was checked. */
export async function traceOrder(ctx: OpsContext, orderId: string, opts: TraceOptions = {}): Promise<TraceResult> {
  const id = parseOrderId(orderId);
  const session = new TraceSession(opts.targets ?? traceTargets(endpointsFor(ctx.loaded.config)), id, false, ctx.signal);
  try {
    const result = await session.look();
    if (result.hops.every((h) => !h.found)) throw notFound(result);
    return result;
  } finally {
    await session.close();
  }
}

export interface WatchOptions extends TraceOptions {
  /** Stop looking after this long (the last result is returned, incomplete). */
  timeoutMs: number;
  /** Called with each result that differs from the one before. */
  onUpdate?: (result: TraceResult) => void;
}

/** The hops found and their times: what an update is about. */
const fingerprint = (r: TraceResult) => JSON.stringify(r.hops.map((h) => [h.found, h.at, h.records.length, h.detail]));

/** Pauses between looks: the topics are read by a consumer that joins a group each time; the read model answers in a millisecond. */
const PIPELINE_INTERVAL_MS = 100;
const READ_MODEL_INTERVAL_MS = 20;

/**
 * Looks until every hop is there, the timeout passes or `ctx.signal` aborts, and returns the
 * last result. The PostgreSQL and GraphQL hops get the time a look first saw them (the read
 * model keeps no write time), so they are asked every few tens of milliseconds — apart from
 * the slower topic reads — and a watch should start before those hops happen: right after
 * placing the order. An order with no MariaDB row and nothing else is a NotFoundError at once.
 */
export async function watchTrace(ctx: OpsContext, orderId: string, opts: WatchOptions): Promise<TraceResult> {
  const session = new TraceSession(opts.targets ?? traceTargets(endpointsFor(ctx.loaded.config)), parseOrderId(orderId), true, ctx.signal);
  return watch(ctx, session, opts, true);
}

/**
 * Places an order with `place` and watches it from its first moment: the read model's
 * connection is opened before, and the first looks go out as soon as `place` returns, so
 * every hop gets the time it happened (within a look's interval). What the console's
 * "place a demo order" runs.
 */
export async function watchNewOrder(ctx: OpsContext, place: () => Promise<string>, opts: WatchOptions): Promise<TraceResult> {
  const targets = opts.targets ?? traceTargets(endpointsFor(ctx.loaded.config));
  const client = await connectReadModel(targets).catch(() => undefined);
  let id: string;
  try {
    id = parseOrderId(await place());
  } catch (err) {
    await client?.end().catch(() => undefined);
    throw err;
  }
  return watch(ctx, new TraceSession(targets, id, true, ctx.signal, { fromCreation: true, ...(client ? { pg: client } : {}) }), opts, false);
}

async function watch(ctx: OpsContext, session: TraceSession, opts: WatchOptions, lookFirst: boolean): Promise<TraceResult> {
  let shown = '';
  const report = () => {
    const r = session.result();
    const print = fingerprint(r);
    if (print !== shown) {
      shown = print;
      opts.onUpdate?.(r);
    }
  };
  class Pending extends Error {}
  const deadline = Date.now() + opts.timeoutMs;
  const until = async (check: () => Promise<boolean>, intervalMs: number) => {
    await pollUntil(
      async () => {
        const done = await check();
        report();
        return done ? true : undefined;
      },
      { timeoutMs: Math.max(0, deadline - Date.now()), minDelayMs: intervalMs, signal: ctx.signal, onAbort: () => new Pending(), onTimeout: () => new Pending() },
    ).catch((err: unknown) => {
      if (!(err instanceof Pending)) throw err;
    });
  };
  try {
    if (lookFirst) {
      const first = await session.look();
      if (first.hops.every((h) => !h.found)) throw notFound(first);
      report();
      if (first.complete) return first;
    }
    await Promise.all([until(() => session.lookAtPipeline(), PIPELINE_INTERVAL_MS), until(() => session.lookAtReadModel(), READ_MODEL_INTERVAL_MS)]);
    return session.result();
  } finally {
    await session.close();
  }
}

/** The hops as lines: time, delta, title, detail. */
export function renderTrace(r: TraceResult): string {
  const lines = [`order ${r.orderId}${r.complete ? '' : '  (incomplete: some hops not found)'}`];
  for (const h of r.hops) {
    const time = h.at ? h.at.slice(11, 23) : '—'.padEnd(12);
    const delta = h.deltaMs === null ? '' : `${h.deltaMs >= 0 ? '+' : '−'}${Math.abs(h.deltaMs)} ms`;
    lines.push(`${h.found ? '✔' : '✖'} ${time}  ${delta.padStart(10)}  ${h.title.padEnd(34)} ${h.detail}`);
  }
  if (r.totalMs !== null) lines.push(`total ${r.totalMs} ms from the MariaDB row to the last timed hop`);
  const untimed = r.hops.filter((h) => h.found && !h.at).map((h) => h.id);
  if (untimed.length > 0) lines.push(`(${untimed.join(', ')}: found, but the store keeps no write time; \`--wait\` on a fresh order times them as they appear)`);
  return lines.join('\n');
}
