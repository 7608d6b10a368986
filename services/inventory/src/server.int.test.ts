import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisInventoryStore } from './data/redis-inventory-store.js';
import { snapshot, violations } from './test-support/invariants.js';
import { freePort } from './test-support/net.js';
import { connectTestRedis, deleteKeys, testRedisUrl, uniquePrefix } from './test-support/redis.js';

// The real service binary (dist/server.js from `npx tsc -b`), killed with SIGKILL mid-run.
const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const LINES = [
  { sku: 'K-A', quantity: 1 },
  { sku: 'K-B', quantity: 2 },
  { sku: 'K-C', quantity: 3 },
];
const children: ChildProcess[] = [];
const prefixes: string[] = [];
const logs: string[] = [];
let redis: Redis;

beforeAll(async () => {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npx tsc -b\` before the integration tests`);
  redis = await connectTestRedis();
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const prefix of prefixes) await deleteKeys(redis, prefix);
  await redis?.quit();
});

/** Starts dist/server.js on a free port and waits for /health 200. */
async function startService(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], {
    env: {
      PATH: process.env.PATH,
      REDIS_URL: testRedisUrl(),
      // Restocks are not exercised here; nothing listens there.
      PRODUCTS_URL: `http://127.0.0.1:${await freePort()}`,
      LOG_LEVEL: 'warn',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`inventory exited with ${child.exitCode}:\n${logs.join('')}`);
    const status = await fetch(`${url}/health`).then((res) => res.status, () => 0);
    if (status === 200) return { child, url };
    await sleep(100);
  }
  throw new Error(`inventory not healthy after 30 s:\n${logs.join('').slice(-4000)}`);
}

async function reserve(url: string, orderId: string): Promise<number> {
  const res = await fetch(`${url}/reservations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ orderId, lines: LINES }) });
  await res.arrayBuffer();
  return res.status;
}

describe('inventory process', () => {
  it('when the process is killed with SIGKILL amid reservations, then none is half-applied, every acknowledged one is kept, and retries after a restart are idempotent', async () => {
    const prefix = uniquePrefix('kill');
    prefixes.push(prefix);
    const store = new RedisInventoryStore(redis, { prefix });
    for (const { sku } of LINES) await store.restock(sku, 100_000);
    const env = { REDIS_KEY_PREFIX: prefix, RESERVATION_TTL_MS: '3600000' };
    const first = await startService(env);

    // 16 clients reserve 3-line orders back to back and keep going until the process is gone:
    // it is killed once 100 were acknowledged, so requests are in flight when it dies.
    const orderIds = Array.from({ length: 2000 }, () => randomUUID());
    const acknowledged = new Set<string>();
    const failed: string[] = [];
    let next = 0;
    let gone = false;
    const exited = once(first.child, 'exit').then(() => {
      gone = true;
    });
    const client = async () => {
      while (next < orderIds.length && !gone) {
        const orderId = orderIds[next++]!;
        try {
          const status = await reserve(first.url, orderId);
          if (status === 201) acknowledged.add(orderId);
          else failed.push(`${orderId}: ${status}`);
        } catch {
          failed.push(orderId);
        }
        if (acknowledged.size >= 100 && first.child.signalCode === null) first.child.kill('SIGKILL');
      }
    };
    await Promise.all(Array.from({ length: 16 }, client));
    await exited;
    expect(first.child.signalCode).toBe('SIGKILL');
    expect(next).toBeLessThan(orderIds.length);
    // The kill cut requests off, and no request got anything but a 201 before it.
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.filter((entry) => entry.includes(':'))).toEqual([]);

    const afterKill = await snapshot(redis, prefix);
    expect(violations(afterKill, { 'K-A': 100_000, 'K-B': 100_000, 'K-C': 100_000 })).toEqual([]);
    const stored = new Set(afterKill.reservations.map((r) => r.orderId));
    for (const orderId of acknowledged) expect(stored.has(orderId)).toBe(true);
    expect(afterKill.reservations.every((r) => r.state === 'pending' && r.lines.length === 3)).toBe(true);

    // A restarted service answers every retry: what was applied before the kill comes back as
    // the same reservation (200), what was not is reserved now (201).
    const second = await startService(env);
    const sent = orderIds.slice(0, next);
    const statuses = await Promise.all(sent.map((orderId) => reserve(second.url, orderId)));
    const replayed = sent.filter((_, i) => statuses[i] === 200);
    expect(statuses.every((status) => status === 200 || status === 201)).toBe(true);
    expect(new Set(replayed)).toEqual(stored);

    const final = await snapshot(redis, prefix);
    expect(violations(final)).toEqual([]);
    expect(final.reservations).toHaveLength(sent.length);
    expect(final.stock.get('K-C')).toMatchObject({ onHand: 100_000, reserved: 3 * sent.length });

    second.child.kill('SIGTERM');
    const [code] = await once(second.child, 'exit');
    expect(code).toBe(0);
  });

  it('when a reservation outlives RESERVATION_TTL_MS, then the running service expires it and its stock returns', async () => {
    const prefix = uniquePrefix('sweep');
    prefixes.push(prefix);
    const store = new RedisInventoryStore(redis, { prefix });
    for (const { sku } of LINES) await store.restock(sku, 10);
    const { url, child } = await startService({ REDIS_KEY_PREFIX: prefix, RESERVATION_TTL_MS: '1000', SWEEP_INTERVAL_MS: '50' });
    const orderId = randomUUID();
    expect(await reserve(url, orderId)).toBe(201);
    expect((await store.stocks(['K-C']))[0]).toMatchObject({ reserved: 3, available: 7 });

    const deadline = Date.now() + 10_000;
    let state = 'pending';
    while (state === 'pending' && Date.now() < deadline) {
      await sleep(100);
      state = ((await (await fetch(`${url}/reservations/${orderId}`)).json()) as { state: string }).state;
    }
    expect(state).toBe('expired');
    expect((await store.stocks(['K-C']))[0]).toMatchObject({ onHand: 10, reserved: 0, available: 10 });
    expect(violations(await snapshot(redis, prefix))).toEqual([]);
    child.kill('SIGTERM');
    await once(child, 'exit');
  });
});
