/**
 * Pipeline benchmark (not a test): POST /orders → visible in GraphQL, against a running stack
 * (`oms up` first). Prints p50/p99 at a low rate and at 100 orders/s, then ramps the rate
 * to find the highest one the pipeline sustains with flat lag. The reservation is measured
 * twice: POST /reservations on its own (the call every order makes before its write), and, for
 * a sample of the bench's orders, reserved → confirmed (the inventory seeing the row via CDC).
 * It restocks the SKUs it orders (PUT /inventory/:sku) so the run never meets "out of stock".
 *
 *   npm run bench:pipeline [-- --low-seconds 20 --high-seconds 20 --ramp 100,200,300,400,500 --step-seconds 15]
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { loadConfig } from '../config.js';
import { httpClient, parseAnswer } from '../lib/http.js';
import { findRepoRoot } from '../lib/runtime/settings.js';
import { customerSchema, placedOrderSchema, productPageSchema, reservationSchema } from '../lib/services.js';

const { values: args } = parseArgs({
  options: {
    'low-rate': { type: 'string', default: '5' },
    'low-seconds': { type: 'string', default: '20' },
    'high-rate': { type: 'string', default: '100' },
    'high-seconds': { type: 'string', default: '20' },
    ramp: { type: 'string', default: '150,200,300,400,500' },
    'step-seconds': { type: 'string', default: '15' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
// The ports `oms up` used: flags aside, the same configuration (OMS_PORT_*, oms.config.json).
const { ports } = loadConfig({ repoRoot: findRepoRoot(), cwd: process.cwd(), env: process.env, flags: {} }).config;
const client = (service: string, port: number) => httpClient({ service, baseUrl: `http://${args.host}:${port}`, timeoutMs: 30_000 });
const customers = client('the customers service', ports.customers);
const products = client('the products service', ports.products);
const orders = client('the orders service', ports.orders);
const graph = client('the orders-graph service', ports.ordersGraph);
const inventory = client('the inventory service', ports.inventory);

const ordersPage = z.object({ data: z.object({ orders: z.object({ items: z.array(z.object({ id: z.string() })), total: z.number() }) }).nullable().optional() });

interface Sample {
  id?: string;
  sentAt: number;
  postMs?: number;
  visibleAt?: number;
  error?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]!;
};

/**
 * Watches GraphQL for pending orders with one cheap query per round: the bench customer's
 * orders created since the oldest pending one (newest first, paged), so the watcher's own
 * load stays flat whatever the rate.
 */
class Visibility {
  private readonly pending = new Map<string, { sample: Sample; createdAt: string }>();
  private running = true;
  private readonly loop: Promise<void>;
  constructor(private readonly email: string) {
    this.loop = this.run();
  }
  watch(s: Sample, createdAt: string): void {
    this.pending.set(s.id!, { sample: s, createdAt });
  }
  get size(): number {
    return this.pending.size;
  }
  private async run(): Promise<void> {
    while (this.running) {
      if (this.pending.size === 0) {
        await sleep(2);
        continue;
      }
      const from = [...this.pending.values()].reduce((min, p) => (p.createdAt < min ? p.createdAt : min), '9999');
      for (let offset = 0; ; offset += 100) {
        const res = await graph.send('POST', '/graphql', {
          body: { query: 'query($e: String, $f: String, $o: Int) { orders(customer: {email: $e}, fromDate: $f, limit: 100, offset: $o) { total items { id } } }', variables: { e: this.email, f: from, o: offset } },
        });
        const now = performance.now();
        const page = ordersPage.safeParse(res.body).data?.data?.orders;
        for (const { id } of page?.items ?? []) {
          const p = this.pending.get(id);
          if (p) {
            p.sample.visibleAt = now;
            this.pending.delete(id);
          }
        }
        if (!page || offset + 100 >= page.total || this.pending.size === 0) break;
      }
      await sleep(3);
    }
  }
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }
}

interface Fixture {
  email: string;
  customerId: string;
  addressId: string;
  products: Array<{ sku: string }>;
}

const stockSchema = z.object({ onHand: z.number().int() });

/** Raises each SKU's count on hand by `units` (a restock sets the count; it is read first). */
async function restock(skus: readonly string[], units: number): Promise<void> {
  for (const sku of skus) {
    const path = `/inventory/${encodeURIComponent(sku)}`;
    const { onHand } = await inventory.json('GET', path, stockSchema);
    await inventory.json('PUT', path, stockSchema, { onHand: onHand + units });
  }
}

/** Reserve calls on their own, open loop at `rate`: one unit of `sku` under a fresh order id each (they expire after the inventory's TTL). */
async function reserveAt(sku: string, rate: number, seconds: number): Promise<{ p50: number; p99: number; errors: number }> {
  const ms: number[] = [];
  let errors = 0;
  const inflight: Array<Promise<void>> = [];
  const start = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 1) await sleep(wait);
    const sent = performance.now();
    inflight.push(
      inventory
        .send('POST', '/reservations', { body: { orderId: randomUUID(), lines: [{ sku, quantity: 1 }] } })
        .then((r) => {
          if (r.status === 201) ms.push(performance.now() - sent);
          else errors++;
        })
        .catch(() => {
          errors++;
        }),
    );
  }
  await Promise.all(inflight);
  return { p50: pct(ms, 50), p99: pct(ms, 99), errors };
}

/** reserved → confirmed of up to `n` visible orders, from the reservations' own times (the inventory's clock). */
async function confirmLag(samples: Sample[], n: number): Promise<number[]> {
  const lags: number[] = [];
  const visible = samples.flatMap((x) => (x.id && x.visibleAt !== undefined ? [x.id] : []));
  for (const id of visible.slice(0, n)) {
    const r = await inventory.json('GET', `/reservations/${id}`, reservationSchema);
    if (r.state === 'confirmed') lags.push(Date.parse(r.updatedAt) - Date.parse(r.createdAt));
  }
  return lags;
}

async function fixture(): Promise<Fixture> {
  const catalogue = await products.json('GET', '/products?limit=20', productPageSchema);
  if (catalogue.items.length === 0) throw new Error('no products: run `oms up` (it seeds) first');
  const tag = `${Date.now()}-${randomUUID().slice(0, 6)}`;
  const c = await customers.json('POST', '/customers', customerSchema, {
    name: 'Bench', lastName: tag, email: `bench-${tag}@oms.example`, identityDocument: `B-${tag}`, active: true,
    addresses: [{ streetType: 'STREET', streetName: 'Bench st', streetNumber: '1', buildingNumber: '1', departmentNumber: '1', reference: 'bench', latitude: 1, longitude: 1 }],
  });
  return { email: `bench-${tag}@oms.example`, customerId: c.id, addressId: c.addresses[0]!.id, products: catalogue.items };
}

/** Open-loop load: one order every 1/rate s regardless of how long earlier ones take. */
async function runAt(fx: Fixture, rate: number, seconds: number): Promise<Sample[]> {
  const vis = new Visibility(fx.email);
  const samples: Sample[] = [];
  const inflight: Array<Promise<void>> = [];
  const start = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const s: Sample = { sentAt: performance.now() };
    samples.push(s);
    const p = fx.products[i % fx.products.length]!;
    inflight.push(
      orders
        .send('POST', '/orders', { body: { customerId: fx.customerId, items: [{ sku: p.sku, quantity: 1 + (i % 3), addressId: fx.addressId }] } })
        .then((r) => {
          s.postMs = performance.now() - s.sentAt;
          if (r.status !== 201) s.error = `HTTP ${r.status}`;
          else {
            const placed = parseAnswer(placedOrderSchema, r.body, 'POST /orders');
            s.id = placed.id;
            vis.watch(s, placed.createdAt ?? new Date().toISOString());
          }
        })
        .catch((e: unknown) => {
          s.error = e instanceof Error ? e.message : String(e);
        }),
    );
  }
  const sendDone = performance.now();
  await Promise.all(inflight);
  const deadline = performance.now() + 60_000;
  while (vis.size > 0 && performance.now() < deadline) await sleep(20);
  await vis.stop();
  const achieved = total / ((sendDone - start) / 1000);
  (samples as Sample[] & { achievedRate?: number }).achievedRate = achieved;
  return samples;
}

async function summarise(label: string, samples: Sample[], rate: number): Promise<{ p50: number; p99: number; ok: boolean; flat: boolean }> {
  const lat = samples.filter((s) => s.visibleAt !== undefined).map((s) => s.visibleAt! - s.sentAt);
  const post = samples.filter((s) => s.postMs !== undefined && !s.error).map((s) => s.postMs!);
  const errors = samples.filter((s) => s.error).length;
  const lost = samples.filter((s) => s.id && s.visibleAt === undefined).length;
  const third = Math.floor(samples.length / 3);
  const early = samples.slice(0, third).filter((s) => s.visibleAt).map((s) => s.visibleAt! - s.sentAt);
  const late = samples.slice(-third).filter((s) => s.visibleAt).map((s) => s.visibleAt! - s.sentAt);
  // Flat lag: latency at the end is not climbing away from the start (queues are not growing).
  const flat = late.length > 0 && pct(late, 50) <= Math.max(2 * pct(early, 50), pct(early, 50) + 100);
  const achieved = (samples as Sample[] & { achievedRate?: number }).achievedRate ?? rate;
  const p50 = pct(lat, 50);
  const p99 = pct(lat, 99);
  console.log(
    `${label.padEnd(16)} target ${String(rate).padStart(4)}/s achieved ${achieved.toFixed(0).padStart(4)}/s  n=${samples.length}  ` +
      `POST→GraphQL p50 ${p50.toFixed(0)} ms p99 ${p99.toFixed(0)} ms  (POST alone p50 ${pct(post, 50).toFixed(0)} ms)  ` +
      `errors ${errors} not-visible ${lost}  lag ${flat ? 'flat' : 'GROWING'}`,
  );
  const confirms = await confirmLag(samples, 200);
  console.log(`${''.padEnd(16)} reserved→confirmed p50 ${pct(confirms, 50).toFixed(0)} ms p99 ${pct(confirms, 99).toFixed(0)} ms (n=${confirms.length})`);
  return { p50, p99, ok: errors === 0 && lost === 0 && achieved >= rate * 0.95, flat };
}

const fx = await fixture();
console.log(`bench against ${orders.baseUrl} → ${graph.baseUrl} (customer ${fx.customerId}, ${fx.products.length} products)`);
const ramp = args.ramp.split(',').map(Number);
// Every order the run may place, at up to 3 units (1 + i % 3), spread over the products, plus the reserve-only phases.
const maxOrders = 10 + Number(args['low-rate']) * Number(args['low-seconds']) + Number(args['high-rate']) * Number(args['high-seconds']) + ramp.reduce((sum, r) => sum + r * Number(args['step-seconds']), 0);
const benchSku = fx.products[0]!.sku;
await restock(fx.products.map((p) => p.sku), Math.ceil((maxOrders * 3) / fx.products.length));
const reserveUnits = Math.round(Number(args['low-rate']) * Number(args['low-seconds']) + Number(args['high-rate']) * Number(args['high-seconds']));
await restock([benchSku], reserveUnits);
for (const [label, rate, seconds] of [['reserve, low rate', Number(args['low-rate']), Number(args['low-seconds'])], ['reserve, 100/s', Number(args['high-rate']), Number(args['high-seconds'])]] as const) {
  const r = await reserveAt(benchSku, rate, seconds);
  console.log(`${label.padEnd(16)} target ${String(rate).padStart(4)}/s  POST /reservations p50 ${r.p50.toFixed(2)} ms p99 ${r.p99.toFixed(2)} ms  errors ${r.errors}`);
}
await runAt(fx, 5, 2); // warm-up: connections, JIT, caches
const low = await summarise('low rate', await runAt(fx, Number(args['low-rate']), Number(args['low-seconds'])), Number(args['low-rate']));
const high = await summarise('100 orders/s', await runAt(fx, Number(args['high-rate']), Number(args['high-seconds'])), Number(args['high-rate']));
let best = 0;
for (const rate of ramp) {
  const r = await summarise(`ramp`, await runAt(fx, rate, Number(args['step-seconds'])), rate);
  if (!r.ok || !r.flat) break;
  best = rate;
  await sleep(3000);
}
console.log('');
console.log(`RESULT low-rate p50 ${low.p50.toFixed(0)} ms p99 ${low.p99.toFixed(0)} ms | 100/s p50 ${high.p50.toFixed(0)} ms p99 ${high.p99.toFixed(0)} ms | max sustained with flat lag: ${best > 0 ? `${best} orders/s` : `below ${String(ramp[0])} orders/s`}`);
