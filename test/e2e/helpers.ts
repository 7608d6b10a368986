import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { loadConfig } from '../../cli/src/config.js';
import { endpointsFor } from '../../cli/src/lib/endpoints.js';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
export const OMS = join(REPO_ROOT, 'bin', 'oms');

// Where the stack `bin/oms up` started answers: the CLI's own configuration (OMS_PORT_*,
// oms.config.json, defaults), so the suite follows a stack moved to other ports.
export const ENDPOINTS = endpointsFor(loadConfig({ repoRoot: REPO_ROOT, cwd: REPO_ROOT, env: process.env, flags: {} }).config);
export const CUSTOMERS = ENDPOINTS.services.customers;
export const PRODUCTS = ENDPOINTS.services.products;
export const ORDERS = ENDPOINTS.services.orders;
export const INVENTORY = ENDPOINTS.services.inventory;
export const GRAPH = ENDPOINTS.services.ordersGraph;
export const BROKERS = ENDPOINTS.kafkaBrokers;
export const CONSOLE = ENDPOINTS.console;

export interface OmsRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved. */
  all: string;
}

/** Runs the real CLI (plain output, as in CI). */
export async function oms(args: string[], timeoutMs = 15 * 60_000): Promise<OmsRun> {
  const res = await execa(OMS, args, { cwd: REPO_ROOT, env: { ...process.env, CI: '1' }, reject: false, all: true, timeout: timeoutMs });
  return { exitCode: res.exitCode, stdout: res.stdout ?? '', stderr: res.stderr ?? '', all: res.all ?? '' };
}

export async function json<T>(method: string, target: string, body?: unknown): Promise<{ status: number; body: T }> {
  const res = await fetch(target, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

export interface TestCustomer {
  id: string;
  email: string;
  addressId: string;
}

export async function createCustomer(label: string): Promise<TestCustomer> {
  const tag = `${label}-${Date.now()}-${randomUUID().slice(0, 6)}`;
  const email = `e2e-${tag}@oms.example`;
  const res = await json<{ id: string; addresses: Array<{ id: string }> }>('POST', `${CUSTOMERS}/customers`, {
    name: 'E2E',
    lastName: tag,
    email,
    identityDocument: `E2E-${tag}`,
    active: true,
    addresses: [{ streetType: 'STREET', streetName: 'Test street', streetNumber: '7', buildingNumber: '1', departmentNumber: '2', reference: 'e2e', latitude: 40.4, longitude: -3.7 }],
  });
  if (res.status !== 201) throw new Error(`creating a customer answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { id: res.body.id, email, addressId: res.body.addresses[0]!.id };
}

export interface Product {
  sku: string;
  price: number;
}

export async function someProducts(n: number): Promise<Product[]> {
  const res = await json<{ items: Product[] }>('GET', `${PRODUCTS}/products?limit=${n}`);
  if (res.status !== 200 || res.body.items.length === 0) throw new Error(`no products in the catalogue (status ${res.status}): was the stack seeded?`);
  return res.body.items;
}

export interface PlacedOrder {
  id: string;
  /** Expected total in cents. */
  cents: number;
}

/** Raises each product's stock, when needed, so that `units` are available (orders reserve stock). */
export async function ensureAvailable(skus: readonly string[], units: number): Promise<void> {
  for (const sku of skus) {
    const path = `${INVENTORY}/inventory/${encodeURIComponent(sku)}`;
    const stock = await json<{ onHand: number; available: number }>('GET', path);
    if (stock.status !== 200) throw new Error(`reading the stock of ${sku} answered ${stock.status}: ${JSON.stringify(stock.body)}`);
    if (stock.body.available >= units) continue;
    const res = await json('PUT', path, { onHand: stock.body.onHand + units - stock.body.available });
    if (res.status !== 200) throw new Error(`restocking ${sku} answered ${res.status}: ${JSON.stringify(res.body)}`);
  }
}

/** Places `count` orders with at most `concurrency` in flight; `onPlaced` sees the running count. */
export async function placeOrders(customer: TestCustomer, products: Product[], count: number, concurrency: number, onPlaced?: (n: number) => unknown): Promise<PlacedOrder[]> {
  // Order i has a line of product i and one of product i + 1, each of at most 3 units.
  await ensureAvailable(
    products.map((p) => p.sku),
    3 * 2 * Math.ceil(count / products.length) + 3,
  );
  const placed: PlacedOrder[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const lines = [products[i % products.length]!, products[(i + 1) % products.length]!].filter((p, k, a) => a.findIndex((q) => q.sku === p.sku) === k);
        const items = lines.map((p, k) => ({ sku: p.sku, quantity: 1 + ((i + k) % 3), addressId: customer.addressId }));
        const res = await json<{ id: string }>('POST', `${ORDERS}/orders`, { customerId: customer.id, items });
        if (res.status !== 201) throw new Error(`order ${i} answered ${res.status}: ${JSON.stringify(res.body)}`);
        placed.push({ id: res.body.id, cents: items.reduce((sum, it) => sum + Math.round(lines.find((p) => p.sku === it.sku)!.price * 100) * it.quantity, 0) });
        await onPlaced?.(placed.length);
      }
    }),
  );
  return placed;
}

interface GraphPage {
  items: Array<{ id: string; total: number; customer: { email: string } }>;
  total: number;
}

/** Every order GraphQL has for the customer's email (all pages). */
export async function graphOrders(email: string): Promise<GraphPage['items']> {
  const all: GraphPage['items'] = [];
  for (let offset = 0; ; offset += 100) {
    const res = await json<{ data?: { orders: GraphPage }; errors?: unknown }>('POST', `${GRAPH}/graphql`, {
      query: 'query($email: String, $offset: Int) { orders(customer: {email: $email}, limit: 100, offset: $offset) { total items { id total customer { email } } } }',
      variables: { email, offset },
    });
    if (!res.body.data) throw new Error(`GraphQL error: ${JSON.stringify(res.body.errors)}`);
    all.push(...res.body.data.orders.items);
    if (offset + 100 >= res.body.data.orders.total) return all;
  }
}

/** Polls GraphQL until the customer has at least `count` orders or the time is up. */
export async function waitForGraph(email: string, count: number, timeoutMs: number): Promise<GraphPage['items']> {
  const deadline = Date.now() + timeoutMs;
  let seen: GraphPage['items'] = [];
  while (Date.now() < deadline) {
    seen = await graphOrders(email);
    if (seen.length >= count) {
      // One more look after a pause: a duplicate would show up as extra rows.
      await new Promise((r) => setTimeout(r, 1000));
      return graphOrders(email);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return seen;
}

/** Checks the read model holds exactly the placed orders, once each, with the right totals. */
export function compare(placed: PlacedOrder[], seen: Array<{ id: string; total: number }>): { missing: string[]; unexpected: string[]; duplicates: string[]; wrongTotals: string[] } {
  const want = new Map(placed.map((p) => [p.id, p.cents]));
  const counts = new Map<string, number>();
  for (const s of seen) counts.set(s.id, (counts.get(s.id) ?? 0) + 1);
  return {
    missing: placed.filter((p) => !counts.has(p.id)).map((p) => p.id),
    unexpected: seen.filter((s) => !want.has(s.id)).map((s) => s.id),
    duplicates: [...counts].filter(([, n]) => n > 1).map(([id]) => id),
    wrongTotals: seen.filter((s) => want.has(s.id) && Math.round(s.total * 100) !== want.get(s.id)).map((s) => `${s.id}: ${s.total} != ${want.get(s.id)! / 100}`),
  };
}

export async function componentPid(id: string): Promise<number> {
  const res = await oms(['status', '--json'], 60_000);
  const doc = JSON.parse(res.stdout) as { data: { components: Array<{ id: string; pid: number | null }> } };
  const pid = doc.data.components.find((c) => c.id === id)?.pid;
  if (!pid) throw new Error(`${id} has no pid: ${res.stdout.slice(0, 500)}`);
  return pid;
}
