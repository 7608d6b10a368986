import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import type { StreamTopics } from './config.js';
import { addressValue, customerValue, detailValue, orderValue, productValue } from './test-support/fixtures.js';
import { Collector, createTopics, outputIds, TestKafka, uniqueTopics } from './test-support/kafka-harness.js';

// The real service binary (dist/server.js from `npx tsc -b`), killed with SIGKILL mid-stream.
const SERVER = fileURLToPath(new URL('../dist/server.js', import.meta.url));
const brokers = testInfra().kafkaBrokers;
const kafka = new TestKafka(brokers);
const topics: StreamTopics = uniqueTopics('os-kill');
const children: ChildProcess[] = [];
const logs: string[] = [];

beforeAll(async () => {
  if (!existsSync(SERVER)) throw new Error(`${SERVER} is missing: run \`npx tsc -b\` before the integration tests`);
  await kafka.connect();
  await createTopics(kafka.admin, topics);
}, 30_000);

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await kafka.close([topics]);
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.once('error', reject);
  });
}

async function startServer(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], {
    env: { PATH: process.env.PATH, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stdout?.on('data', (d: Buffer) => logs.push(d.toString()));
  child.stderr?.on('data', (d: Buffer) => logs.push(d.toString()));
  return { child, url: `http://127.0.0.1:${port}` };
}

async function waitHealthy(url: string, child: ChildProcess, timeoutMs = 30_000): Promise<unknown> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`orders-stream exited with ${child.exitCode}:\n${logs.join('')}`);
    try {
      const res = await fetch(`${url}/health`);
      last = await res.json();
      if (res.status === 200) return last;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`orders-stream not healthy after ${timeoutMs} ms; last /health: ${JSON.stringify(last)}\n${logs.join('').slice(-4000)}`);
}

describe('orders-stream process', () => {
  it('when the process is killed with SIGKILL mid-stream and restarted, then every order is emitted and none is lost', async () => {
    const customerId = randomUUID();
    const addressId = randomUUID();
    await kafka.send(topics, 'customer', customerValue(customerId));
    await kafka.send(topics, 'address', addressValue(addressId, customerId));
    await kafka.send(topics, 'products', productValue('SKU-K', 3.3));
    const env = {
      KAFKA_BROKERS: brokers.join(','),
      KAFKA_GROUP_ID: `orders-stream-kill-${randomUUID().slice(0, 8)}`,
      INSTANCE_ID: 'kill-test',
      KAFKA_SESSION_TIMEOUT_MS: '6000',
      TOPIC_ORDER: topics.order,
      TOPIC_ORDER_DETAIL: topics.orderDetail,
      TOPIC_CUSTOMER: topics.customer,
      TOPIC_ADDRESS: topics.address,
      TOPIC_PRODUCTS: topics.products,
      TOPIC_OUTPUT: topics.output,
      TOPIC_DLQ: topics.dlq,
      LOG_LEVEL: 'warn',
    };
    const out = await new Collector(kafka.kafka, topics.output).start();
    try {
      const first = await startServer(env);
      const health = await waitHealthy(first.url, first.child);
      expect(health).toMatchObject({ status: 'ok', checks: { lookups: { ok: true }, consumer: { ok: true } } });

      // Three-line orders, their records interleaved, so many are partial at any instant.
      const orderIds = Array.from({ length: 40 }, () => randomUUID());
      const records = orderIds.flatMap((id) => [
        ['order', orderValue(id, 3, customerId)] as const,
        ...[1, 2, 3].map((n) => ['order_detail', detailValue(id, n, 'SKU-K', n, addressId)] as const),
      ]);
      records.sort(() => Math.random() - 0.5);
      const killAt = Math.floor(records.length / 2);
      for (const [i, [kind, value]] of records.entries()) {
        if (i === killAt) {
          await out.waitFor((r) => r.length > 0, 10_000, 'some output before the kill');
          first.child.kill('SIGKILL');
          await new Promise((r) => first.child.once('exit', r));
        }
        await kafka.send(topics, kind, value);
      }

      const second = await startServer(env);
      await waitHealthy(second.url, second.child, 45_000);
      await out.waitFor((r) => orderIds.every((id) => outputIds(r).includes(id)), 30_000, 'all 40 orders');
      expect(new Set(outputIds(out.records))).toEqual(new Set(orderIds));
      for (const r of out.records) expect(JSON.parse(r.value).payload.total).toBe(19.8); // (1+2+3) × 3.30
      console.info(`SIGKILL test: ${out.records.length} output records for ${orderIds.length} orders (re-emissions are upserted away)`);

      const metrics = await (await fetch(`${second.url}/metrics`)).text();
      expect(metrics).toMatch(/^oms_stream_pending_orders 0$/m);
      expect(metrics).toMatch(/^oms_stream_lookup_entries\{table="customer"\} 1$/m);
      expect(metrics).toMatch(new RegExp(`^oms_stream_consumer_lag\\{topic="${topics.order.replace(/\./g, '\\.')}",partition="\\d"\\} 0$`, 'm'));

      second.child.kill('SIGTERM');
      const code = await new Promise((r) => second.child.once('exit', r));
      expect(code).toBe(0);
    } finally {
      await out.stop();
    }
  }, 120_000);
});
