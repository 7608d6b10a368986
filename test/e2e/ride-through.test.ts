/**
 * The stack rides through a broker crash: orders flow at a steady rate, Kafka is killed with
 * SIGKILL mid-run and only Kafka is started again (the way `oms up` starts it), and nothing
 * else is touched. Every order the API accepted reaches GraphQL exactly once; every refusal
 * was a 503 with Retry-After naming what was missing.
 */
import { describe, expect, it } from 'vitest';
import { compare, componentPid, createCustomer, CUSTOMERS, ensureAvailable, GRAPH, INVENTORY, oms, ORDERS, PRODUCTS, someProducts, waitForGraph, type PlacedOrder, type Product, type TestCustomer } from './helpers.js';

const RATE_PER_SECOND = 20;
/**
 * At most this many orders in flight: on a loaded machine answers slow down, and an open loop
 * would pile up connections until the client's own connect timeout fails them (neither an
 * acceptance nor a refusal). The achieved rate is printed.
 */
const MAX_IN_FLIGHT = 24;
const RUN_SECONDS = 30;
const KILL_AT_SECONDS = 8;
/** Kafka stays down this long before it is started again. */
const DOWN_SECONDS = 6;

interface Refusal {
  status: number;
  retryAfter: string | null;
  body: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One order of product i (and i + 1); resolves to the accepted order or the refusal. */
async function placeOne(customer: TestCustomer, products: Product[], i: number): Promise<PlacedOrder | Refusal> {
  const lines = [products[i % products.length]!, products[(i + 1) % products.length]!].filter((p, k, a) => a.findIndex((q) => q.sku === p.sku) === k);
  const items = lines.map((p, k) => ({ sku: p.sku, quantity: 1 + ((i + k) % 3), addressId: customer.addressId }));
  const res = await fetch(`${ORDERS}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ customerId: customer.id, items }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  if (res.status !== 201) return { status: res.status, retryAfter: res.headers.get('retry-after'), body: text };
  const { id } = JSON.parse(text) as { id: string };
  return { id, cents: items.reduce((sum, it) => sum + Math.round(lines.find((p) => p.sku === it.sku)!.price * 100) * it.quantity, 0) };
}

async function allHealthy(): Promise<boolean> {
  const answers = await Promise.all([CUSTOMERS, PRODUCTS, ORDERS, INVENTORY, GRAPH].map((url) => fetch(`${url}/health`).then((r) => r.status, () => 0)));
  return answers.every((s) => s === 200);
}

describe('riding through a Kafka crash', () => {
  it('when Kafka is killed with SIGKILL while orders flow at 20/s and only Kafka is started again, then every accepted order reaches GraphQL exactly once and every refusal was a 503', async () => {
    const customer = await createCustomer('kafka-kill');
    const products = await someProducts(10);
    const total = RATE_PER_SECOND * RUN_SECONDS;
    await ensureAvailable(
      products.map((p) => p.sku),
      3 * 2 * Math.ceil(total / products.length) + 3,
    );

    const outcomes: Array<Promise<PlacedOrder | Refusal>> = [];
    const inFlight = new Set<Promise<unknown>>();
    const start = performance.now();
    let restarted: Promise<Awaited<ReturnType<typeof oms>>> | undefined;
    let killedAt = 0;
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / RATE_PER_SECOND - performance.now();
      if (wait > 1) await sleep(wait);
      if (i === KILL_AT_SECONDS * RATE_PER_SECOND) {
        const pid = await componentPid('kafka');
        // The runtime starts each component in a process group of its own: kill all of it.
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          process.kill(pid, 'SIGKILL');
        }
        killedAt = Date.now();
      }
      if (i === (KILL_AT_SECONDS + DOWN_SECONDS) * RATE_PER_SECOND) restarted = oms(['up', '--only', 'kafka', '--no-seed']);
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      const outcome = placeOne(customer, products, i).catch((err: unknown) => ({ status: 0, retryAfter: null, body: `${String(err)} (${String((err as { cause?: unknown }).cause)})` }));
      const tracked = outcome.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      outcomes.push(outcome);
    }
    const results = await Promise.all(outcomes);
    const rate = total / ((performance.now() - start) / 1000);
    const restart = await restarted!;
    expect(restart.exitCode, restart.all).toBe(0);

    const accepted = results.filter((r): r is PlacedOrder => 'id' in r);
    const refused = results.filter((r): r is Refusal => !('id' in r));
    const notA503 = refused.filter((r) => r.status !== 503 || r.retryAfter === null);
    const reasons = new Map<string, number>();
    for (const r of refused) {
      const reason = `${r.status} ${r.body.slice(0, 160)}`;
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    process.stderr.write(
      `[ride-through] ${total} orders at ${rate.toFixed(1)}/s: accepted ${accepted.length}, refused ${refused.length} (${refused.length - notA503.length} were 503 with Retry-After)\n` +
        [...reasons].map(([reason, n]) => `[ride-through]   ${n} × ${reason}\n`).join(''),
    );

    const seen = await waitForGraph(customer.email, accepted.length, 300_000);
    const recoveredMs = Date.now() - killedAt;
    const diff = compare(accepted, seen);
    process.stderr.write(
      `[ride-through] GraphQL has ${seen.length} of ${accepted.length} accepted orders ${(recoveredMs / 1000).toFixed(1)} s after the kill; ` +
        `lost ${diff.missing.length}, duplicated ${diff.duplicates.length}, unexpected ${diff.unexpected.length}, wrong totals ${diff.wrongTotals.length}\n`,
    );
    expect(notA503.slice(0, 5)).toEqual([]);
    expect(accepted.length).toBeGreaterThan(0);
    expect(diff).toEqual({ missing: [], unexpected: [], duplicates: [], wrongTotals: [] });

    // No one ran `oms up` for the services: each must be healthy again by itself.
    const deadline = Date.now() + 120_000;
    while (!(await allHealthy()) && Date.now() < deadline) await sleep(1000);
    expect(await allHealthy()).toBe(true);
  }, 900_000);
});
