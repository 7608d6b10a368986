import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineCommand } from '../command.js';
import type { Context } from '../context.js';
import { CheckFailedError } from '../errors.js';
import { endpointsFor, type Endpoints } from '../lib/endpoints.js';
import { expectJson, requestJson } from '../lib/http.js';
import { withProducer } from '../lib/kafka.js';
import { seedCustomers, seedOrderShapes, seedProducts, type SeedCustomer, type SeedProduct } from '../lib/seed-data.js';

export interface SeedCounts {
  products: number;
  customers: number;
  orders: number;
}

export interface SeedResult {
  products: { desired: number; published: number; unchanged: number };
  customers: { desired: number; created: number; existing: number };
  orders: { desired: number; placed: number; existing: number };
}

interface CustomerResource {
  id: string;
  email: string;
  addresses: Array<{ id: string }>;
}

/** Runs `fn` over items with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!, i);
      }
    }),
  );
  return results;
}

function sameProduct(a: SeedProduct, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(normalise(b));
}

function normalise(p: unknown): unknown {
  if (!p || typeof p !== 'object') return p;
  const o = p as Record<string, unknown>;
  const keys: Array<keyof SeedProduct> = ['sku', 'description', 'price', 'productType', 'length', 'width', 'height', 'weight', 'unitMeasurement', 'hierarchies'];
  return Object.fromEntries(keys.map((k) => [k, o[k]]));
}

/** Publishes the products the catalogue lacks (or has differently), then waits until the indexer has them. */
async function seedCatalogue(endpoints: Endpoints, products: SeedProduct[], signal: AbortSignal, progress: (m: string) => void): Promise<SeedResult['products']> {
  const current = await pool(products, 16, async (p) => {
    const res = await requestJson('GET', `${endpoints.services.products}/products/${encodeURIComponent(p.sku)}`);
    return res.status === 200 && sameProduct(p, res.body);
  });
  const toPublish = products.filter((_, i) => !current[i]);
  if (toPublish.length > 0) {
    progress(`publishing ${toPublish.length} products to topic products`);
    await withProducer(endpoints.kafkaBrokers, (producer) =>
      producer.send({ topic: 'products', acks: -1, messages: toPublish.map((p) => ({ key: p.sku, value: JSON.stringify(p) })) }),
    );
    const deadline = Date.now() + 90_000;
    let pending = toPublish;
    while (pending.length > 0) {
      if (signal.aborted) throw new CheckFailedError('interrupted while waiting for products to be indexed; rerun `oms seed`');
      if (Date.now() > deadline) {
        throw new CheckFailedError(`${pending.length} published products did not reach the products service within 90 s`, {
          details: pending.slice(0, 5).map((p) => p.sku),
          hint: 'check the indexer: `oms logs products` and `oms status`',
        });
      }
      const seen = await pool(pending, 16, async (p) => (await requestJson('GET', `${endpoints.services.products}/products/${encodeURIComponent(p.sku)}`)).status === 200);
      pending = pending.filter((_, i) => !seen[i]);
      if (pending.length > 0) {
        progress(`waiting for ${pending.length} products to be indexed`);
        await sleep(250);
      }
    }
  }
  return { desired: products.length, published: toPublish.length, unchanged: products.length - toPublish.length };
}

async function seedPeople(endpoints: Endpoints, customers: SeedCustomer[]): Promise<{ stats: SeedResult['customers']; resources: CustomerResource[] }> {
  let created = 0;
  const resources = await pool(customers, 8, async (c) => {
    const found = await expectJson<{ items: CustomerResource[] }>('GET', `${endpoints.services.customers}/customers?email=${encodeURIComponent(c.email)}`);
    const existing = found.items.find((i) => i.email === c.email);
    if (existing) {
      // The list may omit addresses; the single resource has them.
      return expectJson<CustomerResource>('GET', `${endpoints.services.customers}/customers/${existing.id}`);
    }
    const res = await requestJson<CustomerResource>('POST', `${endpoints.services.customers}/customers`, c);
    if (res.status === 409) {
      // Created concurrently by another seed run: read it back.
      const again = await expectJson<{ items: CustomerResource[] }>('GET', `${endpoints.services.customers}/customers?email=${encodeURIComponent(c.email)}`);
      return expectJson<CustomerResource>('GET', `${endpoints.services.customers}/customers/${again.items[0]!.id}`);
    }
    if (res.status !== 201) throw new CheckFailedError(`creating seed customer ${c.email} answered ${res.status}`, { details: [JSON.stringify(res.body).slice(0, 400)] });
    created++;
    return res.body;
  });
  return { stats: { desired: customers.length, created, existing: customers.length - created }, resources };
}

async function seedOrders(endpoints: Endpoints, counts: SeedCounts, customers: SeedCustomer[], resources: CustomerResource[], products: SeedProduct[]): Promise<SeedResult['orders']> {
  const shapes = seedOrderShapes(counts.orders, customers, products.length);
  const byCustomer = new Map<number, typeof shapes>();
  for (const s of shapes) byCustomer.set(s.customer, [...(byCustomer.get(s.customer) ?? []), s]);
  let placed = 0;
  let existing = 0;
  await pool([...byCustomer.entries()], 4, async ([index, wanted]) => {
    const customer = resources[index]!;
    const list = await expectJson<{ total?: number; items: unknown[] }>('GET', `${endpoints.services.orders}/orders?customerId=${customer.id}&limit=100`);
    const have = list.total ?? list.items.length;
    existing += Math.min(have, wanted.length);
    for (const shape of wanted.slice(have)) {
      await expectJson('POST', `${endpoints.services.orders}/orders`, {
        customerId: customer.id,
        items: shape.items.map((i) => ({ sku: products[i.product]!.sku, quantity: i.quantity, addressId: customer.addresses[i.address]!.id })),
      });
      placed++;
    }
  });
  return { desired: shapes.length, placed, existing };
}

/** Seeds deterministic demo data; a re-run only adds what is missing. */
export async function runSeed(ctx: Context, counts: SeedCounts, progress: (m: string) => void = () => {}): Promise<SeedResult> {
  const endpoints = endpointsFor(ctx.loaded.config);
  const products = seedProducts(counts.products);
  const customers = seedCustomers(counts.customers);
  const catalogue = await seedCatalogue(endpoints, products, ctx.signal, progress);
  progress(`customers: ${customers.length}`);
  const people = await seedPeople(endpoints, customers);
  progress(`orders: ${counts.orders}`);
  const orders = await seedOrders(endpoints, counts, customers, people.resources, products);
  return { products: catalogue, customers: people.stats, orders };
}

export function describeSeed(r: SeedResult): string {
  return [
    `products:  ${r.products.desired} (${r.products.published} published, ${r.products.unchanged} already there)`,
    `customers: ${r.customers.desired} (${r.customers.created} created, ${r.customers.existing} already there)`,
    `orders:    ${r.orders.desired} (${r.orders.placed} placed, ${r.orders.existing} already there)`,
  ].join('\n');
}

const count = z.coerce.number().int().min(0).max(100_000);

/** `oms seed`: deterministic demo data through the real paths (Kafka for products, REST for the rest). */
export const seedCommand = defineCommand({
  path: 'seed',
  summary: 'load deterministic demo data (re-runs add only what is missing)',
  examples: ['oms seed                                   # defaults: 50 products, 20 customers, 20 orders', 'oms seed --products 200 --customers 50 --orders 500'],
  configure: (cmd) =>
    cmd
      .option('--products <n>', 'products published to the products topic')
      .option('--customers <n>', 'customers (with addresses) created through the customers API')
      .option('--orders <n>', 'orders placed through the orders API'),
  schema: z.object({ products: count.optional(), customers: count.optional(), orders: count.optional() }),
  run: async (opts, ctx) => {
    const seed = ctx.loaded.config.seed;
    const counts = { products: opts.products ?? seed.products, customers: opts.customers ?? seed.customers, orders: opts.orders ?? seed.orders };
    if (counts.orders > 0 && (counts.products === 0 || counts.customers === 0)) {
      throw new CheckFailedError('orders need at least one product and one customer', { hint: 'raise --products/--customers or set --orders 0' });
    }
    let result: SeedResult | undefined;
    await ctx.out.runSteps([
      {
        id: 'seed',
        title: `Seed ${counts.products} products, ${counts.customers} customers, ${counts.orders} orders`,
        run: async (progress) => {
          result = await runSeed(ctx, counts, progress);
          return `${result.products.published + result.customers.created + result.orders.placed} new records`;
        },
      },
    ]);
    return { data: { counts, result }, text: describeSeed(result!) };
  },
});
