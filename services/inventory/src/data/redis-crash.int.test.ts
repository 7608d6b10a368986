import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { snapshot, violations } from '../test-support/invariants.js';
import { freePort } from '@oms/service-kit/testing';
import { connectTestRedis, silentLogger } from '../test-support/redis.js';
import { createRedisClient } from './redis.js';
import { RedisInventoryStore } from './redis-inventory-store.js';

// A Redis of this test's own (the shared one must not be killed), run with the flags the
// runtime is asked to use: AOF on, fsync before every reply round, no RDB snapshots.
const dir = mkdtempSync(join(tmpdir(), 'inventory-redis-crash-'));
const children: ChildProcess[] = [];
const clients: Redis[] = [];

afterAll(async () => {
  for (const client of clients) client.disconnect();
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function startRedis(port: number): ChildProcess {
  if (spawnSync('redis-server', ['--version']).error) throw new Error('redis-server is not on PATH: apt-get install -y redis-server');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no'];
  const child = spawn('redis-server', args, { stdio: 'ignore' });
  children.push(child);
  return child;
}

const LINES = [
  { sku: 'R-A', quantity: 1 },
  { sku: 'R-B', quantity: 2 },
];
const INITIAL = 1_000_000;

describe('Redis itself killed with SIGKILL', () => {
  it('when Redis dies amid reservations and confirms and restarts from its AOF, then every acknowledged change is there, none is half there, and retries finish the rest', async () => {
    const port = await freePort();
    let server = startRedis(port);
    const url = `redis://127.0.0.1:${port}`;
    const admin = await connectTestRedis(url).catch(async () => {
      await sleep(500);
      return connectTestRedis(url);
    });
    clients.push(admin);
    const prefix = 'crash:';
    const setup = new RedisInventoryStore(admin, { prefix });
    for (const { sku } of LINES) await setup.restock(sku, INITIAL);

    // The service's own client settings: fail fast while Redis is down, reconnect by itself.
    const client = createRedisClient(url, silentLogger);
    clients.push(client);
    await once(client, 'ready');
    const store = new RedisInventoryStore(client, { prefix });

    const reservedAck = new Set<string>();
    const confirmedAck = new Set<string>();
    const uncertain = new Set<string>();
    let killed = false;
    const worker = async () => {
      while (!killed) {
        const orderId = randomUUID();
        try {
          expect((await store.reserve(orderId, LINES, 3_600_000)).outcome).toBe('created');
          reservedAck.add(orderId);
          // Every other order is confirmed, so both scripts are cut by the crash.
          if (reservedAck.size % 2 === 0) {
            expect((await store.confirm(orderId)).outcome).toBe('changed');
            confirmedAck.add(orderId);
          }
        } catch (err) {
          if (!(err instanceof Error) || err.name !== 'DependencyUnavailableError') throw err;
          uncertain.add(orderId);
        }
        if (reservedAck.size >= 300 && !killed) {
          killed = true;
          server.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    if (server.exitCode === null && server.signalCode === null) await once(server, 'exit');
    expect(server.signalCode).toBe('SIGKILL');

    // While Redis is down a call fails at once with "unavailable" (the HTTP layer's 503).
    await expect(store.stocks(['R-A'])).rejects.toMatchObject({ name: 'DependencyUnavailableError', status: 503 });

    server = startRedis(port);
    const deadline = Date.now() + 15_000;
    while (client.status !== 'ready' && Date.now() < deadline) await sleep(50);
    expect(client.status).toBe('ready');

    const afterCrash = await snapshot(client, prefix);
    const states = new Map(afterCrash.reservations.map((r) => [r.orderId, r.state]));
    for (const orderId of reservedAck) expect(states.has(orderId)).toBe(true);
    for (const orderId of confirmedAck) expect(states.get(orderId)).toBe('confirmed');
    const confirmedUnits = (state: typeof afterCrash) => state.reservations.filter((r) => r.state === 'confirmed').length;
    expect(violations(afterCrash, { 'R-A': INITIAL - confirmedUnits(afterCrash), 'R-B': INITIAL - 2 * confirmedUnits(afterCrash) })).toEqual([]);

    // What the crash left uncertain is retried: reservations are idempotent by order id, so a
    // retry returns the stored one when it had been applied after all.
    for (const orderId of uncertain) {
      expect(['created', 'existing']).toContain((await store.reserve(orderId, LINES, 3_600_000)).outcome);
    }
    for (const orderId of reservedAck) if (!confirmedAck.has(orderId)) await store.confirm(orderId);
    const final = await snapshot(client, prefix);
    expect(final.reservations.every((r) => r.state === 'confirmed' || uncertain.has(r.orderId))).toBe(true);
    expect(violations(final, { 'R-A': INITIAL - confirmedUnits(final), 'R-B': INITIAL - 2 * confirmedUnits(final) })).toEqual([]);

    await client.quit();
    server.kill('SIGKILL');
  });
});
