import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { builtEntry, startWithLateDependency, type LateDependencyRun } from '@oms/service-kit/testing';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';

// The built entry point (dist/server.js from `npx tsc -b`): the start-up under test is the real one.
const SERVER = builtEntry(new URL('../dist/server.js', import.meta.url));
const infra = testInfra();
const run = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
// Unique per run: the shared broker and cluster outlive a crashed run.
const TOPIC = `products-startup-test-${run}`;
const GROUP = `products-startup-test-${run}`;
const INDEX = `products_startup_test_${run}`;
const STOCK_TOPIC = `products-startup-test-stock-${run}`;
const STOCK_GROUP = `products-startup-test-stock-${run}`;
const STOCK_INDEX = `products_startup_test_stock_${run}`;
const elasticsearch = new URL(infra.elasticsearchUrl);
let admin: Admin;
let started: LateDependencyRun | undefined;

beforeAll(async () => {
  admin = new Kafka({ clientId: 'products-startup-test', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [TOPIC, STOCK_TOPIC].map((topic) => ({ topic, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] })),
  });
});

afterAll(async () => {
  await started?.stop();
  await admin?.deleteGroups([GROUP, STOCK_GROUP]).catch(() => undefined);
  await admin?.deleteTopics({ topics: [TOPIC, STOCK_TOPIC] }).catch(() => undefined);
  await admin?.disconnect();
  const es = new Client({ node: infra.elasticsearchUrl });
  await es.indices.delete({ index: [INDEX, STOCK_INDEX], ignore_unavailable: true });
  await es.close();
});

describe('products start-up', () => {
  it('when Elasticsearch is down at start, then /health is 503 naming it until it comes up, then the indexer joins and the service is ready by itself', async () => {
    started = await startWithLateDependency({
      entry: SERVER,
      dependency: { host: elasticsearch.hostname, port: Number(elasticsearch.port) },
      env: (port) => ({
        ES_URL: `http://127.0.0.1:${port}`,
        ES_INDEX: INDEX,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        KAFKA_GROUP_ID: GROUP,
        TOPIC_PRODUCTS: TOPIC,
        ES_STOCK_INDEX: STOCK_INDEX,
        KAFKA_STOCK_GROUP_ID: STOCK_GROUP,
        TOPIC_INVENTORY: STOCK_TOPIC,
        KAFKAJS_NO_PARTITIONER_WARNING: '1',
        LOG_LEVEL: 'info',
      }),
    });
    expect(started.whileDown.body).toMatchObject({
      status: 'starting',
      waitingFor: ['elasticsearch', 'kafka'],
      checks: {
        elasticsearch: { ok: false, waiting: true, error: expect.stringMatching(/ECONNREFUSED/) },
        kafka: { ok: false, waiting: true, attempts: 0 },
        indexer: { ok: false, error: 'indexer is idle' },
      },
    });
    expect(started.ready.body).toEqual({ status: 'ok', checks: { elasticsearch: { ok: true }, indexer: { ok: true } } });
    expect(started.service.output()).toMatch(/"msg":"waiting for elasticsearch \(Elasticsearch at http:\/\/127\.0\.0\.1:\d+ \(index products_startup_test_/);

    started.service.child.kill('SIGTERM');
    expect(await started.service.exited()).toBe(0);
  }, 120_000);
});
