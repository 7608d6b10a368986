/**
 * One row of the fault battery: orders at a steady rate, one component killed mid-run (`kill
 * -9` of its process group, or `docker kill` of its container: targets.ts; nobody runs `oms
 * up`), then the checks: the stack
 * healthy again by itself within a bound, every order answered 201 in GraphQL exactly once
 * with the right total, every other answer a 503. It counts what the API answered, not what
 * it hoped.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { loadConfig, type LoadedConfig } from '../config.js';
import type { OpsContext } from '../context.js';
import { ExternalError, isOmsError } from '../errors.js';
import { endpointsFor, type Endpoints } from '../lib/endpoints.js';
import { findRepoRoot } from '../lib/runtime/settings.js';
import { customerSchema, placedOrderSchema, productPageSchema, serviceClients, type ServiceClients } from '../lib/services.js';
import { collectStatus, type CollectOptions } from '../ops/status.js';
import { rowTargetFor, type FaultTarget } from './targets.js';

/** What an order placed during a row got back. */
export type Answer = { kind: 'accepted'; id: string; cents: number } | { kind: 'refused' } | { kind: 'unreachable'; why: string } | { kind: 'other'; why: string };

export interface RowResult {
  component: string;
  accepted: number;
  /** 503s: the API said "not now" (what a dependency outage must look like). */
  refused: number;
  /** No answer at all (connection refused): only acceptable when the killed process is the one answering (orders). */
  unreachable: number;
  /**
   * Of those, requests whose connection was cut after they were sent (reset, hang-up): the
   * order may have been committed just before the process died. Only orders' own row has any
   * that count: up to this many orders in GraphQL that were never answered 201 are in doubt,
   * not extra.
   */
  inDoubt?: number;
  /** Any other status, a timeout, an unparseable 201. */
  other: number;
  /** Accepted but not in GraphQL once the wait ended. */
  lost: number;
  /** Their ids (for `oms trace`). */
  lostIds?: string[];
  /** Listed more than once. */
  duplicated: number;
  /** In GraphQL for this row's customer but never answered 201 (an order the client was told failed). */
  extra: number;
  /** In GraphQL with a total other than the catalogue's price × quantity. */
  wrongTotal: number;
  /** Kill → the stack healthy again (status: every component ready, every connector running); null: not within the bound. */
  recoverSeconds: number | null;
  /** Why the row fails (empty: it passes). */
  problems: string[];
  /** A few of the non-201, non-503 answers, for the report. */
  samples: string[];
}

export interface Fixture {
  customerId: string;
  email: string;
  addressId: string;
  products: Array<{ sku: string; price: number }>;
}

export interface RowOptions {
  component: string;
  rate: number;
  seconds: number;
  /** Seconds into the load when the kill happens. */
  killAt: number;
  /** Seconds after the kill within which the stack must be healthy again. */
  recoverWithin: number;
  /** Seconds after recovery within which every accepted order must be in GraphQL. */
  visibleWithin: number;
  log: (line: string) => void;
  /** Told each answer as it arrives (when, in ms since the epoch): what a row measures gaps from. */
  onAnswer?: (answer: Answer, at: number) => void;
}

const ordersAnswer = z.object({
  data: z.object({ orders: z.object({ total: z.number().int(), items: z.array(z.object({ id: z.string(), total: z.number() })) }) }).nullable().optional(),
  errors: z.array(z.object({ message: z.string() })).optional(),
});

/** A customer of its own (so each row's orders are counted apart) and the catalogue's prices. */
export async function makeFixture(clients: ServiceClients, label: string): Promise<Fixture> {
  const catalogue = await clients.products.json('GET', '/products?limit=20', productPageSchema);
  if (catalogue.items.length === 0) throw new ExternalError('no products in the catalogue', { hint: 'run `oms up` (it seeds) first' });
  const tag = `${label}-${Date.now()}-${randomUUID().slice(0, 6)}`;
  const email = `faults-${tag}@oms.example`;
  const c = await clients.customers.json('POST', '/customers', customerSchema, {
    name: 'Faults', lastName: tag, email, identityDocument: `F-${tag}`, active: true,
    addresses: [{ streetType: 'STREET', streetName: 'Fault st', streetNumber: '1', buildingNumber: '1', departmentNumber: '1', reference: 'faults', latitude: 1, longitude: 1 }],
  });
  return { customerId: c.id, email, addressId: c.addresses[0]!.id, products: catalogue.items };
}

const stockSchema = z.object({ onHand: z.number().int() });

/** Raises each SKU's stock by `units`, so no order of the battery meets "out of stock". */
export async function restock(clients: ServiceClients, skus: readonly string[], units: number): Promise<void> {
  for (const sku of skus) {
    const path = `/inventory/${encodeURIComponent(sku)}`;
    const { onHand } = await clients.inventory.json('GET', path, stockSchema);
    await clients.inventory.json('PUT', path, stockSchema, { onHand: onHand + units });
  }
}

/** Places one order and classifies the answer. */
async function placeOne(clients: ServiceClients, fx: Fixture, i: number): Promise<Answer> {
  const p = fx.products[i % fx.products.length]!;
  const quantity = 1 + (i % 2);
  try {
    const res = await clients.orders.send('POST', '/orders', { body: { customerId: fx.customerId, items: [{ sku: p.sku, quantity, addressId: fx.addressId }] }, timeoutMs: 10_000 });
    if (res.status === 201) {
      const placed = placedOrderSchema.safeParse(res.body);
      return placed.success ? { kind: 'accepted', id: placed.data.id, cents: Math.round(p.price * 100) * quantity } : { kind: 'other', why: '201 without an order id' };
    }
    if (res.status === 503) return { kind: 'refused' };
    return { kind: 'other', why: `HTTP ${res.status}: ${JSON.stringify(res.body).slice(0, 160)}` };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return /ECONNREFUSED|ECONNRESET|socket hang up/.test(why) ? { kind: 'unreachable', why } : { kind: 'other', why };
  }
}

/** Open-loop load: one order every 1/rate s whatever earlier ones take; `at(s)` runs once at second s. */
async function load(clients: ServiceClients, fx: Fixture, rate: number, seconds: number, at: { second: number; run: () => void }, onAnswer?: RowOptions['onAnswer']): Promise<Answer[]> {
  const total = Math.round(rate * seconds);
  const answers: Array<Promise<Answer>> = [];
  const start = performance.now();
  let fired = false;
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    if (!fired && performance.now() - start >= at.second * 1000) {
      fired = true;
      at.run();
    }
    answers.push(placeOne(clients, fx, i).then((a) => (onAnswer?.(a, Date.now()), a)));
  }
  return Promise.all(answers);
}

/** How a row reaches the stack: the kill, and `oms status`'s report (with the stack resolved once). */
/**
 * The flags every fault script takes, as `scriptArgs` options: the load, how long the stack has
 * to heal and the orders to appear, and the runtime. `seconds` and `kill-at` default per script.
 */
export function rowFlags(defaults: { seconds: string; killAt: string }) {
  return {
    rate: { type: 'string', default: '20' },
    seconds: { type: 'string', default: defaults.seconds },
    'kill-at': { type: 'string', default: defaults.killAt },
    'recover-within': { type: 'string', default: '150' },
    'visible-within': { type: 'string', default: '120' },
    runtime: { type: 'string' },
  } as const;
}

export interface RowTarget {
  target: FaultTarget;
  status: CollectOptions;
}

/** What a fault script (battery.ts, broker-kill.ts) works with: the CLI's configuration of this state dir, an ops context, the services' clients. */
export interface FaultScript {
  loaded: LoadedConfig;
  ctx: OpsContext;
  endpoints: Endpoints;
  clients: ServiceClients;
}

/** Reads the configuration the CLI would (OMS_STATE_DIR, OMS_PORT_*, OMS_COMPOSE_PROJECT) for a fault script. */
export function faultScript(): FaultScript {
  const repoRoot = findRepoRoot();
  const loaded = loadConfig({ repoRoot, cwd: process.cwd(), env: process.env, flags: {} });
  const ctx: OpsContext = { loaded, cwd: process.cwd(), repoRoot, env: process.env, signal: new AbortController().signal, debug: () => undefined };
  const endpoints = endpointsFor(loaded.config);
  return { loaded, ctx, endpoints, clients: serviceClients(endpoints) };
}

/**
 * The stack as the CLI resolves it for this state dir and how its components are killed; a
 * usage mistake or a missing daemon is `{message, exitCode}` for the script to print and exit with.
 */
export async function resolveRowTarget(ctx: OpsContext, runtime: 'local' | 'docker' | undefined): Promise<RowTarget | { message: string; exitCode: number }> {
  try {
    return await rowTargetFor(ctx, runtime);
  } catch (err) {
    if (!isOmsError(err)) throw err;
    return { message: `${err.message}${err.hint ? `\n  ${err.hint}` : ''}`, exitCode: err.exitCode };
  }
}

/** Whether the stack turns healthy (every component ready, every connector running) within `seconds`. */
export async function healthyWithin(ctx: OpsContext, t: RowTarget, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if ((await collectStatus(ctx, t.status).catch(() => undefined))?.healthy) return true;
    await sleep(2000);
  }
  return false;
}

/** Seconds from `killedAt` until the stack is healthy with a new incarnation of the component; null past the bound. */
async function waitRecovered(ctx: OpsContext, t: RowTarget, component: string, killed: string, killedAt: number, boundS: number): Promise<number | null> {
  while (Date.now() - killedAt < boundS * 1000) {
    const report = await collectStatus(ctx, t.status).catch(() => undefined);
    const now = report?.healthy ? await t.target.incarnation(component).catch(() => undefined) : undefined;
    if (now !== undefined && now !== killed) return (Date.now() - killedAt) / 1000;
    await sleep(1000);
  }
  return null;
}

/**
 * Every order of the fixture's customer in GraphQL: id → totals seen (one per listing). Pages
 * are newest first, so an order arriving mid-listing shifts the later pages and would show one
 * order twice: a listing counts only when every page reported the same total (else it is read again).
 */
async function listed(clients: ServiceClients, email: string): Promise<Map<string, number[]>> {
  for (let attempt = 1; ; attempt++) {
    const seen = new Map<string, number[]>();
    const totals = new Set<number>();
    for (let offset = 0; ; offset += 100) {
      const res = await clients.ordersGraph.send('POST', '/graphql', {
        body: { query: 'query($e: String, $o: Int) { orders(customer: {email: $e}, limit: 100, offset: $o) { total items { id total } } }', variables: { e: email, o: offset } },
      });
      const page = ordersAnswer.safeParse(res.body).data?.data?.orders;
      if (!page) throw new ExternalError(`GraphQL answered ${res.status}: ${JSON.stringify(res.body).slice(0, 200)}`);
      totals.add(page.total);
      for (const o of page.items) seen.set(o.id, [...(seen.get(o.id) ?? []), o.total]);
      if (offset + 100 >= page.total) break;
    }
    if (totals.size === 1 || attempt >= 10) return seen;
    await sleep(1000);
  }
}

/** Runs one row: load, kill, recovery, then the exactly-once check. */
export async function runRow(ctx: OpsContext, t: RowTarget, clients: ServiceClients, fx: Fixture, o: RowOptions): Promise<RowResult> {
  let kill: Promise<{ killed: string; at: number } | Error> | undefined;
  const answers = await load(clients, fx, o.rate, o.seconds, {
    second: o.killAt,
    run: () => {
      const at = Date.now();
      kill = t.target.kill(o.component).then((killed) => ({ killed, at }), (err: unknown) => (err instanceof Error ? err : new Error(String(err))));
    },
  }, o.onAnswer);
  const problems: string[] = [];
  const killed = await kill;
  let recoverSeconds: number | null = null;
  if (!killed || killed instanceof Error) problems.push(`no kill: ${killed?.message ?? 'the load ended first'}`);
  else {
    o.log(`  killed ${o.component} (${t.target.how}: ${killed.killed}); waiting until the stack is healthy by itself`);
    recoverSeconds = await waitRecovered(ctx, t, o.component, killed.killed, killed.at, o.recoverWithin);
    if (recoverSeconds === null) problems.push(`not healthy by itself within ${o.recoverWithin}s of the kill`);
  }
  const accepted = new Map<string, number>();
  const count = { refused: 0, unreachable: 0, other: 0, inDoubt: 0 };
  const samples: string[] = [];
  for (const a of answers) {
    if (a.kind === 'accepted') accepted.set(a.id, a.cents);
    else count[a.kind]++;
    if (a.kind === 'unreachable' && CUT_AFTER_SENDING.test(a.why)) count.inDoubt++;
    if ((a.kind === 'other' || a.kind === 'unreachable') && samples.length < 5) samples.push(a.why);
  }
  // Wait (bounded) until every accepted order is listed; what is still missing then is lost.
  let seen = new Map<string, number[]>();
  const deadline = Date.now() + o.visibleWithin * 1000;
  for (;;) {
    seen = await listed(clients, fx.email).catch(() => seen);
    if ([...accepted.keys()].every((id) => seen.has(id)) || Date.now() > deadline) break;
    await sleep(2000);
  }
  const lostIds = [...accepted.keys()].filter((id) => !seen.has(id));
  const lost = lostIds.length;
  const duplicated = [...seen.values()].filter((totals) => totals.length > 1).length;
  const extra = [...seen.keys()].filter((id) => !accepted.has(id)).length;
  const wrongTotal = [...seen.entries()].filter(([id, totals]) => accepted.has(id) && totals.some((t) => Math.round(t * 100) !== accepted.get(id))).length;
  const result: RowResult = { component: o.component, accepted: accepted.size, ...count, lost, lostIds, duplicated, extra, wrongTotal, recoverSeconds, problems, samples };
  result.problems.push(...verdict(result));
  return result;
}

/** A connection cut after the request went out (not refused before it): the client cannot know what happened. */
const CUT_AFTER_SENDING = /ECONNRESET|socket hang up/;

/** Why a row fails, from its counts (the kill and recovery problems are added by the run). */
export function verdict(r: Omit<RowResult, 'problems' | 'samples'>): string[] {
  const problems: string[] = [];
  if (r.lost > 0) problems.push(`${r.lost} accepted order(s) never reached GraphQL`);
  if (r.duplicated > 0) problems.push(`${r.duplicated} order(s) listed more than once`);
  // With orders itself killed, a request cut mid-answer may have been committed: it is in doubt, not extra.
  const extra = r.component === 'orders' ? Math.max(0, r.extra - (r.inDoubt ?? 0)) : r.extra;
  if (extra > 0) problems.push(`${extra} order(s) in GraphQL that were never answered 201`);
  if (r.wrongTotal > 0) problems.push(`${r.wrongTotal} order(s) with a wrong total`);
  if (r.other > 0) problems.push(`${r.other} answer(s) neither 201 nor 503`);
  // With orders itself killed nobody is there to answer 503: a refused connection is the honest answer then.
  if (r.unreachable > 0 && r.component !== 'orders') problems.push(`${r.unreachable} request(s) got no answer while ${r.component} was down`);
  if (r.accepted === 0) problems.push('no order was accepted at all');
  return problems;
}

/** The battery's table: one row per component, then each failing row's reasons. */
export function renderTable(rows: RowResult[]): string {
  const header = ['COMPONENT', 'ACCEPTED', 'REFUSED(503)', 'NO-ANSWER', 'OTHER', 'LOST', 'DUPLICATED', 'EXTRA', 'BAD-TOTAL', 'RECOVER(s)', 'RESULT'];
  const body = rows.map((r) => [
    r.component,
    String(r.accepted),
    String(r.refused),
    String(r.unreachable),
    String(r.other),
    String(r.lost),
    String(r.duplicated),
    String(r.extra),
    String(r.wrongTotal),
    r.recoverSeconds === null ? 'never' : r.recoverSeconds.toFixed(1),
    r.problems.length === 0 ? 'ok' : 'FAIL',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const lines = [header, ...body].map((cols) => cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '));
  for (const r of rows.filter((x) => x.problems.length > 0)) {
    lines.push('', `${r.component}: ${r.problems.join('; ')}`, ...r.samples.map((s) => `  e.g. ${s}`));
  }
  return lines.join('\n');
}
