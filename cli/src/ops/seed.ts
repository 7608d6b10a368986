/**
 * Deterministic demo data through the real paths: products through Kafka (the products
 * service indexes them), their stock, customers and orders through the REST APIs. A re-run
 * only adds what is missing.
 */
import { z } from 'zod';
import type { OpsContext, ProgressHooks } from '../context.js';
import { CheckFailedError } from '../errors.js';
import { endpointsFor } from '../lib/endpoints.js';
import { answerText, parseAnswer } from '../lib/http.js';
import { publishAll } from '../lib/kafka.js';
import { pollUntil } from '../lib/retry.js';
import { runSteps, type StepResult } from '../lib/steps.js';
import { seedCustomers, seedOrderShapes, seedProducts, seedStock, type SeedCustomer, type SeedOrderShape, type SeedProduct } from '../lib/seed-data.js';
import { type CustomerResource, customerPageSchema, customerSchema, orderPageSchema, type ServiceClients, serviceClients } from '../lib/services.js';

export interface SeedCounts {
  products: number;
  customers: number;
  orders: number;
}

export interface SeedResult {
  products: { desired: number; published: number; unchanged: number };
  stock: { desired: number; set: number; existing: number };
  customers: { desired: number; created: number; existing: number };
  orders: { desired: number; placed: number; existing: number };
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

const PRODUCT_KEYS: Array<keyof SeedProduct> = ['sku', 'description', 'price', 'productType', 'length', 'width', 'height', 'weight', 'unitMeasurement', 'hierarchies'];
const anyObject = z.record(z.string(), z.unknown());

/** Whether the service's product is the seed product (the fields we publish; others are ignored). */
function sameProduct(a: SeedProduct, answer: unknown): boolean {
  const o = anyObject.safeParse(answer);
  return o.success && JSON.stringify(a) === JSON.stringify(Object.fromEntries(PRODUCT_KEYS.map((k) => [k, o.data[k]])));
}

async function productAnswer(clients: ServiceClients, sku: string): Promise<{ status: number; body: unknown }> {
  return clients.products.send('GET', `/products/${encodeURIComponent(sku)}`);
}

/** Publishes the products the catalogue lacks (or has differently), then waits until the indexer has them. */
async function seedCatalogue(ctx: OpsContext, clients: ServiceClients, products: SeedProduct[], progress: (m: string) => void): Promise<SeedResult['products']> {
  const current = await pool(products, 16, async (p) => {
    const res = await productAnswer(clients, p.sku);
    return res.status === 200 && sameProduct(p, res.body);
  });
  const toPublish = products.filter((_, i) => !current[i]);
  if (toPublish.length > 0) {
    progress(`publishing ${toPublish.length} products to topic products`);
    await publishAll(
      endpointsFor(ctx.loaded.config).kafkaBrokers,
      'products',
      toPublish.map((p) => ({ key: p.sku, value: JSON.stringify(p) })),
    );
    let pending = toPublish;
    await pollUntil(
      async () => {
        const seen = await pool(pending, 16, async (p) => (await productAnswer(clients, p.sku)).status === 200);
        pending = pending.filter((_, i) => !seen[i]);
        if (pending.length === 0) return true;
        progress(`waiting for ${pending.length} products to be indexed`);
        return undefined;
      },
      {
        timeoutMs: 90_000,
        minDelayMs: 250,
        signal: ctx.signal,
        onAbort: () => new CheckFailedError('interrupted while waiting for products to be indexed; rerun `oms seed`'),
        onTimeout: () =>
          new CheckFailedError(`${pending.length} published products did not reach the products service within 90 s`, {
            details: pending.slice(0, 5).map((p) => p.sku),
            hint: 'check the indexer: `oms logs products` and `oms status`',
          }),
      },
    );
  }
  return { desired: products.length, published: toPublish.length, unchanged: products.length - toPublish.length };
}

/**
 * Gives each SKU its seed stock, once: `If-None-Match: *` makes the inventory set a count only
 * on a SKU that has no stock yet (412 otherwise), so a rerun never overwrites what orders and
 * restocks have moved since — not even a SKU sold down to 0.
 */
async function seedInventory(clients: ServiceClients, products: SeedProduct[], onHand: number[]): Promise<SeedResult['stock']> {
  const answers = await pool(products, 16, async (p, i) => {
    const res = await clients.inventory.send('PUT', `/inventory/${encodeURIComponent(p.sku)}`, { body: { onHand: onHand[i] }, headers: { 'if-none-match': '*' } });
    if (res.status !== 200 && res.status !== 412) throw new CheckFailedError(`stocking seed product ${p.sku} answered ${res.status}: ${answerText(res.body)}`, { hint: 'check the inventory service: `oms logs inventory` and `oms status`' });
    return res.status === 200;
  });
  const set = answers.filter(Boolean).length;
  return { desired: products.length, set, existing: products.length - set };
}

async function findCustomer(clients: ServiceClients, email: string): Promise<CustomerResource | undefined> {
  const found = await clients.customers.json('GET', `/customers?email=${encodeURIComponent(email)}`, customerPageSchema);
  const existing = found.items.find((i) => i.email === email);
  // The list may omit addresses; the single resource has them.
  return existing ? clients.customers.json('GET', `/customers/${existing.id}`, customerSchema) : undefined;
}

/**
 * A seed customer someone changed since (a person in the explorer, the fuzzer) may have lost
 * addresses the seed's orders ship to: the missing ones are added again, so a re-run mends it.
 */
async function restoreAddresses(clients: ServiceClients, existing: CustomerResource, wanted: SeedCustomer): Promise<CustomerResource> {
  const missing = wanted.addresses.slice(existing.addresses.length);
  if (missing.length === 0) return existing;
  for (const address of missing) {
    const res = await clients.customers.send('POST', `/customers/${existing.id}/addresses`, { body: address });
    if (res.status !== 201) throw new CheckFailedError(`restoring an address of seed customer ${wanted.email} answered ${res.status}`, { details: [JSON.stringify(res.body).slice(0, 400)] });
  }
  return clients.customers.json('GET', `/customers/${existing.id}`, customerSchema);
}

async function seedPeople(clients: ServiceClients, customers: SeedCustomer[]): Promise<{ stats: SeedResult['customers']; resources: CustomerResource[] }> {
  let created = 0;
  const resources = await pool(customers, 8, async (c) => {
    const existing = await findCustomer(clients, c.email);
    if (existing) return restoreAddresses(clients, existing, c);
    const res = await clients.customers.send('POST', '/customers', { body: c });
    if (res.status === 409) {
      // Created concurrently by another seed run: read it back.
      const again = await findCustomer(clients, c.email);
      if (again) return again;
    }
    if (res.status !== 201) throw new CheckFailedError(`creating seed customer ${c.email} answered ${res.status}`, { details: [JSON.stringify(res.body).slice(0, 400)] });
    created++;
    return parseAnswer(customerSchema, res.body, 'the customers service (POST /customers)');
  });
  return { stats: { desired: customers.length, created, existing: customers.length - created }, resources };
}

async function seedOrders(clients: ServiceClients, shapes: SeedOrderShape[], resources: CustomerResource[], products: SeedProduct[]): Promise<SeedResult['orders']> {
  const byCustomer = new Map<number, typeof shapes>();
  for (const s of shapes) byCustomer.set(s.customer, [...(byCustomer.get(s.customer) ?? []), s]);
  let placed = 0;
  let existing = 0;
  await pool([...byCustomer.entries()], 4, async ([index, wanted]) => {
    const customer = resources[index]!;
    const list = await clients.orders.json('GET', `/orders?customerId=${customer.id}&limit=100`, orderPageSchema);
    const have = list.total ?? list.items.length;
    existing += Math.min(have, wanted.length);
    for (const shape of wanted.slice(have)) {
      await clients.orders.json('POST', '/orders', z.unknown(), {
        customerId: customer.id,
        items: shape.items.map((i) => ({ sku: products[i.product]!.sku, quantity: i.quantity, addressId: customer.addresses[i.address]!.id })),
      });
      placed++;
    }
  });
  return { desired: shapes.length, placed, existing };
}

/** Seeds deterministic demo data; a re-run only adds what is missing. */
export async function runSeed(ctx: OpsContext, counts: SeedCounts, progress: (m: string) => void = () => {}): Promise<SeedResult> {
  const clients = serviceClients(endpointsFor(ctx.loaded.config));
  const products = seedProducts(counts.products);
  const customers = seedCustomers(counts.customers);
  const shapes = seedOrderShapes(counts.orders, customers, products.length);
  const catalogue = await seedCatalogue(ctx, clients, products, progress);
  // Stock before orders: an order needs its units available.
  progress(`stock: ${products.length} SKUs`);
  const stock = await seedInventory(clients, products, seedStock(products.length, shapes));
  progress(`customers: ${customers.length}`);
  const people = await seedPeople(clients, customers);
  progress(`orders: ${counts.orders}`);
  const orders = await seedOrders(clients, shapes, people.resources, products);
  return { products: catalogue, stock, customers: people.stats, orders };
}

export function describeSeed(r: SeedResult): string {
  return [
    `products:  ${r.products.desired} (${r.products.published} published, ${r.products.unchanged} already there)`,
    `stock:     ${r.stock.desired} SKUs (${r.stock.set} stocked, ${r.stock.existing} had stock already)`,
    `customers: ${r.customers.desired} (${r.customers.created} created, ${r.customers.existing} already there)`,
    `orders:    ${r.orders.desired} (${r.orders.placed} placed, ${r.orders.existing} already there)`,
  ].join('\n');
}

/** Orders need something to order and someone to order it. */
export function assertSeedable(counts: SeedCounts): void {
  if (counts.orders > 0 && (counts.products === 0 || counts.customers === 0)) {
    throw new CheckFailedError('orders need at least one product and one customer', { hint: 'raise --products/--customers or set --orders 0' });
  }
}

/** `oms seed`: the seed as one step (its progress lines are the step's), for a caller that watches steps. */
export async function seed(ctx: OpsContext, counts: SeedCounts, hooks: ProgressHooks = {}): Promise<{ result: SeedResult; steps: StepResult[] }> {
  assertSeedable(counts);
  let result: SeedResult | undefined;
  const steps = await runSteps(
    [
      {
        id: 'seed',
        title: `Seed ${counts.products} products, ${counts.customers} customers, ${counts.orders} orders`,
        run: async (progress) => {
          result = await runSeed(ctx, counts, progress);
          return `${result.products.published + result.stock.set + result.customers.created + result.orders.placed} new records`;
        },
      },
    ],
    { signal: ctx.signal, onEvent: hooks.onEvent },
  );
  // runSteps throws unless the step (which sets it) succeeded
  return { result: result!, steps };
}
