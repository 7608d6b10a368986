/**
 * End to end, against the real local runtime started by the real CLI: `oms up`, `oms smoke`,
 * then orders through REST → Debezium → orders-stream → JDBC sink → GraphQL, under load and
 * under failure (SIGKILL of the processor, of Kafka Connect), and a poison record.
 */
import { Kafka, logLevel } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BROKERS, compare, componentPid, createCustomer, oms, placeOrders, someProducts, waitForGraph } from './helpers.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

describe('the pipeline, end to end', () => {
  beforeAll(async () => {
    const up = await oms(['up']);
    expect(up.exitCode, up.all).toBe(0);
  }, 20 * 60_000);

  it('when oms smoke runs, then an order reaches GraphQL enriched and each hop is timed', async () => {
    const res = await oms(['smoke', '--json', '--timeout', '120'], 180_000);
    expect(res.exitCode, res.all).toBe(0);
    const doc = JSON.parse(res.stdout) as { ok: boolean; data: { totalMs: number; hops: Array<{ hop: string }> } };
    expect(doc.ok).toBe(true);
    expect(doc.data.hops.map((h) => h.hop)).toEqual(['REST commit', 'seen on order', 'seen on orders-graph', 'visible in GraphQL']);
    expect(doc.data.totalMs).toBeGreaterThan(0);
  }, 200_000);

  it('when orders-stream is down, then smoke times out naming the stalled hop, with connector states and lag', async () => {
    const stop = await oms(['down', '--only', 'orders-stream']);
    expect(stop.exitCode, stop.all).toBe(0);
    try {
      const res = await oms(['smoke', '--timeout', '8'], 120_000);
      expect(res.exitCode).toBe(1);
      expect(res.stderr).toMatch(/stalled at "seen on orders-graph" — orders-stream/);
      expect(res.stderr).toMatch(/oms-orders\s+RUNNING/);
      expect(res.stderr).toMatch(/orders-stream consumer lag:/);
    } finally {
      const restart = await oms(['up', '--only', 'orders-stream', '--no-seed']);
      expect(restart.exitCode, restart.all).toBe(0);
    }
  }, 300_000);

  it('when 200 orders are placed concurrently, then every one appears in GraphQL exactly once with its total', async () => {
    const customer = await createCustomer('load');
    const products = await someProducts(10);
    const placed = await placeOrders(customer, products, 200, 20);
    const seen = await waitForGraph(customer.email, placed.length, 120_000);
    expect(compare(placed, seen)).toEqual({ missing: [], unexpected: [], duplicates: [], wrongTotals: [] });
    expect(seen).toHaveLength(200);
  }, 240_000);

  it('when orders-stream is killed with SIGKILL mid-run and restarted, then nothing is lost or duplicated', async () => {
    const customer = await createCustomer('kill-stream');
    const products = await someProducts(10);
    let killed = false;
    const placed = await placeOrders(customer, products, 120, 8, (n) => {
      if (n === 40 && !killed) {
        killed = true;
        return componentPid('orders-stream').then((pid) => process.kill(pid, 'SIGKILL'));
      }
    });
    expect(killed).toBe(true);
    const restart = await oms(['up', '--only', 'orders-stream', '--no-seed']);
    expect(restart.exitCode, restart.all).toBe(0);
    const seen = await waitForGraph(customer.email, placed.length, 180_000);
    expect(compare(placed, seen)).toEqual({ missing: [], unexpected: [], duplicates: [], wrongTotals: [] });
  }, 400_000);

  it('when Kafka Connect is killed with SIGKILL mid-run and restarted, then nothing is lost or duplicated', async () => {
    const customer = await createCustomer('kill-connect');
    const products = await someProducts(10);
    let killed = false;
    const placed = await placeOrders(customer, products, 120, 8, (n) => {
      if (n === 40 && !killed) {
        killed = true;
        return componentPid('connect').then((pid) => process.kill(-pid, 'SIGKILL'));
      }
    });
    expect(killed).toBe(true);
    const restart = await oms(['up', '--no-seed']);
    expect(restart.exitCode, restart.all).toBe(0);
    const seen = await waitForGraph(customer.email, placed.length, 240_000);
    expect(compare(placed, seen)).toEqual({ missing: [], unexpected: [], duplicates: [], wrongTotals: [] });
  }, 600_000);

  it('when a malformed record arrives on the order topic, then it lands in the DLQ with its reason and orders keep flowing', async () => {
    const kafka = new Kafka({ brokers: BROKERS, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const before = await admin.fetchTopicOffsets('orders-stream.dlq');
    await admin.disconnect();
    const marker = `poison-${Date.now()}`;
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'order', messages: [{ key: JSON.stringify({ order_id: marker }), value: `{"id": "${marker}", this is not json` }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `e2e-dlq-${Date.now()}` });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders-stream.dlq', fromBeginning: true });
    const found = await new Promise<Record<string, string>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no DLQ record within 60 s')), 60_000);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const start = before.find((b) => b.partition === partition)?.offset ?? '0';
          if (BigInt(message.offset) < BigInt(start) || !message.key?.toString().includes(marker)) return;
          clearTimeout(timer);
          resolve(Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])));
        },
      });
    });
    await consumer.disconnect();
    expect(found['dlq.topic']).toBe('order');
    expect(found['dlq.reason']).toBeTruthy();

    const customer = await createCustomer('after-poison');
    const placed = await placeOrders(customer, await someProducts(4), 5, 5);
    const seen = await waitForGraph(customer.email, placed.length, 60_000);
    expect(compare(placed, seen)).toEqual({ missing: [], unexpected: [], duplicates: [], wrongTotals: [] });
  }, 200_000);
});
