/**
 * Stock end to end, against the real local runtime started by the real CLI: orders reserve in
 * the inventory (Redis) before MariaDB commits them, the inventory confirms and releases through
 * CDC, and the invariant holds at every quiet moment, for each SKU:
 *
 *   onHand   = initial + restocks − Σ quantity of confirmed, non-cancelled orders
 *   reserved = Σ quantity of pending reservations
 *
 * Each test orders a SKU of its own (published to `products` here), so other tests and the demo
 * data never move its counts.
 */
import { randomUUID } from 'node:crypto';
import { eventually, startServiceProcess, waitForHealth, type ServiceProcess } from '@oms/service-kit/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectTestRedis } from '../../services/inventory/src/test-support/redis.js';
import { BROKERS, componentPid, createCustomer, CUSTOMERS, ENDPOINTS, GRAPH, INVENTORY, json, oms, ORDERS, PRODUCTS, REPO_ROOT, type TestCustomer } from './helpers.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const run = `${Date.now().toString(36)}-${randomUUID().slice(0, 4)}`.toUpperCase();
const extra: ServiceProcess[] = [];

interface Stock {
  sku: string;
  onHand: number;
  reserved: number;
  available: number;
}

interface PlacedOrder {
  id: string;
  status: string;
  items: Array<{ sku: string; quantity: number }>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A new catalogued SKU with `onHand` units: published to `products` like the seed does, then stocked. */
async function newSku(label: string, onHand: number): Promise<string> {
  const sku = `E2E-INV-${run}-${label}`;
  const producer = new Kafka({ brokers: BROKERS, logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  const product = { sku, description: `e2e ${label}`, price: 2.5, productType: 'E2E', length: 1, width: 1, height: 1, weight: 1, unitMeasurement: 'CM', hierarchies: [] };
  await producer.send({ topic: 'products', acks: -1, messages: [{ key: sku, value: JSON.stringify(product) }] });
  await producer.disconnect();
  await eventually(() => json('GET', `${PRODUCTS}/products/${sku}`), (res) => res.status === 200, { what: `${sku} indexed`, timeoutMs: 60_000 });
  const res = await json('PUT', `${INVENTORY}/inventory/${sku}`, { onHand });
  expect(res.status).toBe(200);
  return sku;
}

const stockOf = async (sku: string): Promise<Stock> => (await json<Stock>('GET', `${INVENTORY}/inventory/${sku}`)).body;

function order(customer: TestCustomer, sku: string, quantity: number) {
  return json<PlacedOrder & { message?: string }>('POST', `${ORDERS}/orders`, { customerId: customer.id, items: [{ sku, quantity, addressId: customer.addressId }] });
}

/** Every order of the customer in MariaDB (the orders service). */
async function ordersOf(customer: TestCustomer): Promise<PlacedOrder[]> {
  const all: PlacedOrder[] = [];
  for (let offset = 0; ; offset += 100) {
    const page = await json<{ items: PlacedOrder[]; total: number }>('GET', `${ORDERS}/orders?customerId=${customer.id}&limit=100&offset=${offset}`);
    all.push(...page.body.items);
    if (offset + 100 >= page.body.total) return all;
  }
}

/** Every reservation in Redis that holds `sku`: state and quantity. */
async function reservationsOf(sku: string): Promise<Array<{ orderId: string; state: string; quantity: number }>> {
  const redis = await connectTestRedis(ENDPOINTS.redisUrl);
  try {
    const found: Array<{ orderId: string; state: string; quantity: number }> = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', 'inventory:reservation:*', 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const r = await redis.hgetall(key);
        const line = (JSON.parse(r.lines ?? '[]') as Array<[string, number]>).find(([s]) => s === sku);
        if (line) found.push({ orderId: r.orderId ?? '', state: r.state ?? '', quantity: line[1] });
      }
    } while (cursor !== '0');
    return found;
  } finally {
    await redis.quit();
  }
}

/**
 * The invariant for `sku` at a quiet moment, as readable problems (empty = it holds): its stock
 * against the orders in MariaDB and the reservations in Redis. Nothing is sold twice (one
 * confirmed reservation per placed order, none for an order that does not exist) and nothing is
 * lost (every placed order holds a confirmed reservation).
 */
async function invariant(sku: string, initialPlusRestocks: number, customers: TestCustomer[]): Promise<string[]> {
  const problems: string[] = [];
  const orders = (await Promise.all(customers.map(ordersOf))).flat().filter((o) => o.items.some((i) => i.sku === sku));
  const placed = orders.filter((o) => o.status === 'placed');
  const sold = placed.reduce((sum, o) => sum + o.items.filter((i) => i.sku === sku).reduce((s, i) => s + i.quantity, 0), 0);
  const reservations = await reservationsOf(sku);
  const pending = reservations.filter((r) => r.state === 'pending').reduce((sum, r) => sum + r.quantity, 0);
  const stock = await stockOf(sku);
  if (stock.onHand !== initialPlusRestocks - sold) problems.push(`onHand ${stock.onHand}, expected ${initialPlusRestocks} − ${sold} sold = ${initialPlusRestocks - sold}`);
  if (stock.reserved !== pending) problems.push(`reserved ${stock.reserved}, but pending reservations hold ${pending}`);
  if (stock.onHand < 0 || stock.available < 0) problems.push(`negative stock: ${JSON.stringify(stock)}`);
  const confirmed = new Set(reservations.filter((r) => r.state === 'confirmed').map((r) => r.orderId));
  const placedIds = new Set(placed.map((o) => o.id));
  for (const id of placedIds) if (!confirmed.has(id)) problems.push(`order ${id} is placed but its reservation is not confirmed`);
  for (const id of confirmed) if (!placedIds.has(id)) problems.push(`reservation ${id} is confirmed but no placed order has that id`);
  return problems;
}

async function confirmedAll(ids: string[]): Promise<void> {
  await eventually(
    async () => (await Promise.all(ids.map(async (id) => (await json<{ state: string }>('GET', `${INVENTORY}/reservations/${id}`)).body.state))).filter((s) => s !== 'confirmed').length,
    (left) => left === 0,
    { what: `${ids.length} reservations confirmed`, timeoutMs: 120_000, intervalMs: 200 },
  );
}

beforeAll(async () => {
  const up = await oms(['up']);
  expect(up.exitCode, up.all).toBe(0);
}, 20 * 60_000);

afterAll(async () => {
  for (const p of extra) p.kill();
});

describe('stock end to end', () => {
  it('when 200 orders race for a SKU with stock 50, then exactly 50 are placed, the other 150 are 422, and stock ends at 0, never below', async () => {
    const sku = await newSku('RACE', 50);
    const customer = await createCustomer('inv-race');
    const answers = await Promise.all(Array.from({ length: 200 }, () => order(customer, sku, 1)));
    const statuses = answers.map((a) => a.status);
    // Anything but placed or out of stock, with what it said (a failure reads as its cause).
    expect(answers.filter((a) => a.status !== 201 && a.status !== 422).map((a) => `${a.status} ${JSON.stringify(a.body)}`)).toEqual([]);
    expect(statuses.filter((s) => s === 201)).toHaveLength(50);
    expect(statuses.filter((s) => s === 422)).toHaveLength(150);
    expect(answers.find((a) => a.status === 422)?.body.message).toBe(`out of stock: ${sku} (wanted 1, available 0)`);

    const placed = answers.filter((a) => a.status === 201).map((a) => a.body.id);
    expect(await ordersOf(customer)).toHaveLength(50);
    await confirmedAll(placed);
    expect(await stockOf(sku)).toEqual({ sku, onHand: 0, reserved: 0, available: 0 });
    expect(await invariant(sku, 50, [customer])).toEqual([]);
    // The products service shows it too, from the inventory topic.
    await eventually(async () => (await json<{ available: number | null }>('GET', `${PRODUCTS}/products/${sku}`)).body.available, (a) => a === 0, { what: 'available 0 in products', timeoutMs: 60_000 });
  }, 300_000);

  it('when an order is cancelled, then its stock returns and GraphQL shows it cancelled; a second cancel is 409', async () => {
    const sku = await newSku('CANCEL', 10);
    const customer = await createCustomer('inv-cancel');
    const placed = await order(customer, sku, 3);
    expect(placed.status).toBe(201);
    await confirmedAll([placed.body.id]);
    expect(await stockOf(sku)).toEqual({ sku, onHand: 7, reserved: 0, available: 7 });

    const cancel = await json<PlacedOrder & { cancelledAt: string }>('POST', `${ORDERS}/orders/${placed.body.id}/cancel`);
    expect(cancel.status).toBe(200);
    expect(cancel.body.status).toBe('cancelled');
    await eventually(() => stockOf(sku), (s) => s.onHand === 10, { what: 'stock back', timeoutMs: 60_000 });
    expect(await stockOf(sku)).toEqual({ sku, onHand: 10, reserved: 0, available: 10 });
    expect((await json<{ state: string }>('GET', `${INVENTORY}/reservations/${placed.body.id}`)).body.state).toBe('released');
    expect(await invariant(sku, 10, [customer])).toEqual([]);

    const graph = await eventually(
      async () => (await json<{ data?: { order: { status: string; cancelledAt: string | null } | null } }>('POST', `${GRAPH}/graphql`, { query: `{ order(id: "${placed.body.id}") { status cancelledAt } }` })).body.data?.order,
      (o) => o?.status === 'cancelled',
      { what: 'the order cancelled in GraphQL', timeoutMs: 60_000 },
    );
    expect(graph).toEqual({ status: 'cancelled', cancelledAt: cancel.body.cancelledAt });

    const again = await json<{ error: string }>('POST', `${ORDERS}/orders/${placed.body.id}/cancel`);
    expect(again.status).toBe(409);
    expect(await stockOf(sku)).toEqual({ sku, onHand: 10, reserved: 0, available: 10 });
  }, 300_000);

  it('when the orders service is killed (SIGKILL) between reserve and commit, then no order exists and the pending reservation expires, returning the stock', async () => {
    const sku = await newSku('KILL-ORDERS', 5);
    const customer = await createCustomer('inv-kill-orders');
    const service = (entry: string, env: Record<string, string>) => startServiceProcess(`${REPO_ROOT}/${entry}`, { LOG_LEVEL: 'warn', ...env }).then((p) => (extra.push(p), p));
    // An inventory with a 2 s reservation TTL on the stack's Redis (same keys), and an orders
    // service that pauses 60 s between the reservation and the write (the test hook).
    const inventory = await service('services/inventory/dist/server.js', {
      REDIS_URL: ENDPOINTS.redisUrl,
      PRODUCTS_URL: PRODUCTS,
      KAFKA_BROKERS: BROKERS.join(','),
      RESERVATION_TTL_MS: '2000',
      SWEEP_INTERVAL_MS: '200',
    });
    await waitForHealth(inventory, (h) => h.status === 200);
    const orders = await service('services/orders/dist/server.js', {
      MYSQL_HOST: ENDPOINTS.mysql.host,
      MYSQL_PORT: String(ENDPOINTS.mysql.port),
      MYSQL_USER: ENDPOINTS.mysql.user,
      MYSQL_PASSWORD: ENDPOINTS.mysql.password,
      CUSTOMERS_URL: CUSTOMERS,
      PRODUCTS_URL: PRODUCTS,
      INVENTORY_URL: inventory.url,
      TEST_PAUSE_AFTER_RESERVE_MS: '60000',
    });
    await waitForHealth(orders, (h) => h.status === 200);

    const pending = fetch(`${orders.url}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customerId: customer.id, items: [{ sku, quantity: 2, addressId: customer.addressId }] }),
    }).then(
      (res) => `answered ${res.status}`,
      (err: unknown) => `cut off: ${err instanceof Error ? err.message : String(err)}`,
    );
    await eventually(() => stockOf(sku), (s) => s.reserved === 2, { what: 'the reservation made' });
    orders.child.kill('SIGKILL');
    expect(await orders.exited()).toBeNull();
    expect(await pending).toMatch(/^cut off/);

    const [reservation] = (await reservationsOf(sku)).filter((r) => r.quantity === 2);
    expect(reservation).toBeDefined();
    await eventually(() => json<{ state: string }>('GET', `${INVENTORY}/reservations/${reservation!.orderId}`), (r) => r.body.state === 'expired', { what: 'the reservation expired', timeoutMs: 30_000 });
    expect(await stockOf(sku)).toEqual({ sku, onHand: 5, reserved: 0, available: 5 });
    expect(await ordersOf(customer)).toEqual([]);
    expect(await invariant(sku, 5, [customer])).toEqual([]);
    inventory.child.kill('SIGTERM');
    await inventory.exited();
  }, 300_000);

  it('when the inventory and then Redis are killed (SIGKILL) mid-run and restarted, then nothing is sold twice and nothing is lost', async () => {
    // Redis runs with appendonly yes, appendfsync always: it answers a write only once the write
    // is in the AOF and fsynced, so a kill -9 of Redis (or a power cut) loses no change it
    // acknowledged; a Lua script is one MULTI/EXEC block in the AOF, replayed whole or not at all.
    const sku = await newSku('KILL-INV', 400);
    const customer = await createCustomer('inv-kill');
    const placed: PlacedOrder[] = [];
    let next = 0;
    let refused = 0;
    // The pids are read before the run: `oms status` takes seconds, and the kills must land while
    // orders are still flowing, not after the last one.
    const pids = { inventory: await componentPid('inventory'), redis: await componentPid('redis') };
    // Per kill: the refusals counted from the kill until its restart finished (> 0: it was mid-run).
    const outages: Array<{ component: string; refusedFrom: number; refusedDuring?: number }> = [];
    const restart = async (component: 'inventory' | 'redis', outage: (typeof outages)[number]) => {
      const up = await oms(['up', '--only', component, '--no-seed']);
      expect(up.exitCode, up.all).toBe(0);
      outage.refusedDuring = refused - outage.refusedFrom;
    };
    const kill = (component: 'inventory' | 'redis', after: Promise<void>) => {
      process.kill(pids[component], 'SIGKILL');
      const outage = { component, refusedFrom: refused };
      outages.push(outage);
      // One `oms up` at a time on the stack: the second restart waits for the first.
      return after.then(() => restart(component, outage));
    };
    const kills: Array<Promise<void>> = [];
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < 150) {
          const i = next++;
          // A client retries what was not placed (503 while the inventory or Redis is down); each try is a new order id.
          for (let attempt = 0; ; attempt++) {
            const res = await order(customer, sku, 1 + (i % 3));
            if (res.status === 201) {
              placed.push(res.body);
              break;
            }
            expect(res.status, JSON.stringify(res.body)).toBe(503);
            refused++;
            if (attempt > 200) throw new Error(`order ${i} still refused: ${JSON.stringify(res.body)}`);
            await sleep(250);
          }
          if (placed.length === 40 && kills.length === 0) kills.push(kill('inventory', Promise.resolve()));
          if (placed.length === 100 && kills.length === 1) kills.push(kill('redis', kills[0]!));
        }
      }),
    );
    await Promise.all(kills);
    expect(placed).toHaveLength(150);
    expect(new Set(placed.map((o) => o.id)).size).toBe(150);
    process.stderr.write(`[e2e] refused with 503 while down: ${outages.map((o) => `${o.component} ${String(o.refusedDuring)}`).join(', ')} (${refused} in all)\n`);
    expect(outages.map((o) => o.component)).toEqual(['inventory', 'redis']);
    for (const o of outages) expect(o.refusedDuring, `${o.component} was killed after the last order`).toBeGreaterThan(0);

    await confirmedAll(placed.map((o) => o.id));
    const sold = placed.reduce((sum, o) => sum + o.items[0]!.quantity, 0);
    const stock = await stockOf(sku);
    expect(stock.onHand).toBe(400 - sold);
    expect(await invariant(sku, 400, [customer])).toEqual([]);
  }, 600_000);

  it('when oms smoke runs, then it shows the reservation hop: reserved before the REST commit, confirmed after', async () => {
    const res = await oms(['smoke', '--json', '--timeout', '120'], 180_000);
    expect(res.exitCode, res.all).toBe(0);
    const doc = JSON.parse(res.stdout) as { data: { reservation: { reservedMs: number; confirmedMs: number }; hops: Array<{ hop: string; atMs: number }> } };
    const { reservedMs, confirmedMs } = doc.data.reservation;
    expect(confirmedMs).toBeGreaterThanOrEqual(reservedMs);
    expect(reservedMs).toBeLessThanOrEqual(doc.data.hops.find((h) => h.hop === 'REST commit')!.atMs + 5);
  }, 200_000);
});
