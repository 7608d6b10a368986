import { randomUUID } from 'node:crypto';
import { builtEntry, startServiceProcess, startWithLateDependency, waitForHealth, type LateDependencyRun, type ServiceProcess } from '@oms/service-kit/testing';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import type { StreamTopics } from './config.js';
import { addressValue, customerValue, detailValue, orderValue, productValue } from './test-support/fixtures.js';
import { Collector, createTopics, outputIds, TestKafka, uniqueTopics } from './test-support/kafka-harness.js';

// The real service binary (dist/server.js from `npx tsc -b`), killed with SIGKILL mid-stream.
const SERVER = builtEntry(new URL('../dist/server.js', import.meta.url));
const brokers = testInfra().kafkaBrokers;
const kafka = new TestKafka(brokers);
const topics: StreamTopics = uniqueTopics('os-kill');
const children: ServiceProcess[] = [];
let late: LateDependencyRun | undefined;

beforeAll(async () => {
  await kafka.connect();
  await createTopics(kafka.admin, topics);
}, 30_000);

afterAll(async () => {
  for (const c of children) c.kill();
  await late?.stop();
  await kafka.close([topics]);
});

/** The service's environment for `topics`, with the broker list given. */
function streamEnv(brokerList: string, groupId: string, instanceId: string): Record<string, string> {
  return {
    KAFKA_BROKERS: brokerList,
    KAFKA_GROUP_ID: groupId,
    INSTANCE_ID: instanceId,
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
}

async function startServer(env: Record<string, string>): Promise<ServiceProcess> {
  const service = await startServiceProcess(SERVER, env);
  children.push(service);
  return service;
}

async function waitHealthy(service: ServiceProcess, timeoutMs = 30_000): Promise<unknown> {
  return (await waitForHealth(service, (h) => h.status === 200, timeoutMs)).body;
}

describe('orders-stream process', () => {
  it('when the process is killed with SIGKILL mid-stream and restarted, then every order is emitted and none is lost', async () => {
    const customerId = randomUUID();
    const addressId = randomUUID();
    await kafka.send(topics, 'customer', customerValue(customerId));
    await kafka.send(topics, 'address', addressValue(addressId, customerId));
    await kafka.send(topics, 'products', productValue('SKU-K', 3.3));
    const env = streamEnv(brokers.join(','), `orders-stream-kill-${randomUUID().slice(0, 8)}`, 'kill-test');
    const out = await new Collector(kafka.kafka, topics.output).start();
    try {
      const first = await startServer(env);
      const health = await waitHealthy(first);
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
          await first.exited();
        }
        await kafka.send(topics, kind, value);
      }

      const second = await startServer(env);
      await waitHealthy(second, 45_000);
      await out.waitFor((r) => orderIds.every((id) => outputIds(r).includes(id)), 30_000, 'all 40 orders');
      expect(new Set(outputIds(out.records))).toEqual(new Set(orderIds));
      for (const r of out.records) expect(JSON.parse(r.value).payload.total).toBe(19.8); // (1+2+3) × 3.30
      console.info(`SIGKILL test: ${out.records.length} output records for ${orderIds.length} orders (re-emissions are upserted away)`);

      const metrics = (await axios.get<string>(`${second.url}/metrics`, { proxy: false, responseType: 'text' })).data;
      expect(metrics).toMatch(/^oms_stream_pending_orders 0$/m);
      expect(metrics).toMatch(/^oms_stream_lookup_entries\{table="customer"\} 1$/m);
      expect(metrics).toMatch(new RegExp(`^oms_stream_consumer_lag\\{topic="${topics.order.replace(/\./g, '\\.')}",partition="\\d"\\} 0$`, 'm'));

      second.child.kill('SIGTERM');
      const code = await second.exited();
      expect(code).toBe(0);
    } finally {
      await out.stop();
    }
  }, 120_000);
});

describe('orders-stream start-up', () => {
  it('when Kafka is down at start, then /health is 503 naming it until Kafka comes up, then the processor is ready by itself', async () => {
    const [host, port] = brokers[0]!.split(':');
    late = await startWithLateDependency({
      entry: SERVER,
      // Only the bootstrap address is forwarded: the broker's metadata then points the
      // clients at the real listener, as for any bootstrap server.
      dependency: { host: host!, port: Number(port) },
      env: (forwarded) => ({ ...streamEnv(`127.0.0.1:${forwarded}`, `orders-stream-late-${randomUUID().slice(0, 8)}`, 'late-test'), LOG_LEVEL: 'info' }),
      readyTimeoutMs: 60_000,
    });
    expect(late.whileDown.body).toMatchObject({
      status: 'starting',
      waitingFor: ['kafka'],
      checks: { kafka: { ok: false, waiting: true }, lookups: { ok: false }, consumer: { ok: false } },
    });
    expect(late.ready.body).toEqual({ status: 'ok', checks: { lookups: { ok: true }, consumer: { ok: true } } });
    expect(late.service.output()).toMatch(/"msg":"waiting for kafka \(Kafka at 127\.0\.0\.1:\d+ \(group orders-stream-late-/);

    late.service.child.kill('SIGTERM');
    expect(await late.service.exited()).toBe(0);
  }, 120_000);
});
