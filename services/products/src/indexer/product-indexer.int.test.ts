import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from '@elastic/elasticsearch';
import { eventually, tcpForwarder } from '@oms/service-kit/testing';
import { Kafka, logLevel, type Admin, type Message, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import { createApp } from '../app.js';
import { ensureProductIndex } from '../data/product-index.js';
import { ElasticsearchProductRepository } from '../data/product-repository.js';
import { ElasticsearchProductViews } from '../data/product-views.js';
import { ElasticsearchStockRepository } from '../data/stock-repository.js';
import type { Product } from '../domain/product.js';
import { ProductIndexer } from './product-indexer.js';
import { indexerTestRun } from '../test-support/indexer-run.js';
import { testProduct } from '../test-support/test-product.js';

// We rely on kafkajs' default (Java-compatible) partitioner; its v2 notice is noise here.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const infra = testInfra();
const { topic: TOPIC, group: GROUP, replayGroup: REPLAY_GROUP, index: INDEX, replayIndex: REPLAY_INDEX, logger } = indexerTestRun('indexer');
const fastRetries = { initialMs: 50, maxMs: 300 };

const product = testProduct;
const keyed = (p: Product): Message => ({ key: p.sku, value: JSON.stringify(p) });

let es: Client;
let repo: ElasticsearchProductRepository;
let kafka: Kafka;
let admin: Admin;
let producer: Producer;
let indexer: ProductIndexer;
const started: ProductIndexer[] = [];

function newIndexer(options: { groupId?: string; products?: ElasticsearchProductRepository } = {}): ProductIndexer {
  const created = new ProductIndexer({
    brokers: infra.kafkaBrokers,
    groupId: options.groupId ?? GROUP,
    topic: TOPIC,
    products: options.products ?? repo,
    logger,
    joinTimeoutMs: 30_000,
    writeBackoff: fastRetries,
  });
  started.push(created);
  return created;
}

async function send(messages: Message[]): Promise<void> {
  await producer.send({ topic: TOPIC, acks: -1, messages });
}

/** Per partition: [committed offset of `groupId`, high watermark]. */
async function offsets(groupId: string): Promise<Array<{ partition: number; committed: string; end: string }>> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
  const ends = await admin.fetchTopicOffsets(TOPIC);
  return ends
    .map((e) => ({ partition: e.partition, committed: committed?.partitions.find((p) => p.partition === e.partition)?.offset ?? '-1', end: e.high }))
    .sort((a, b) => a.partition - b.partition);
}

/** The group has committed everything produced so far: no partition is blocked. */
async function caughtUp(groupId = GROUP): Promise<void> {
  await eventually(
    () => offsets(groupId),
    (parts) => parts.every((p) => p.committed === p.end || (p.end === '0' && p.committed === '-1')),
  );
}

/** Every document with its version: re-indexing even identical content bumps `_version`. */
async function snapshot(client: Client, index: string): Promise<Array<{ id: string; version?: number; source?: Product }>> {
  await client.indices.refresh({ index });
  const res = await client.search<Product>({ index, size: 1_000, version: true, sort: [{ sku: { order: 'asc' } }], query: { match_all: {} } });
  return res.hits.hits.map((h) => ({ id: h._id!, version: h._version, source: h._source }));
}

beforeAll(async () => {
  es = new Client({ node: infra.elasticsearchUrl, maxRetries: 0, requestTimeout: 10_000 });
  await es.cluster.health().catch((err: unknown) => {
    throw new Error(`Elasticsearch at ${infra.elasticsearchUrl} is unreachable; start the test infrastructure`, { cause: err });
  });
  await ensureProductIndex(es, INDEX);
  repo = new ElasticsearchProductRepository(es, INDEX);

  kafka = new Kafka({ clientId: 'products-indexer-test', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000, retry: { retries: 2 } });
  admin = kafka.admin();
  await admin.connect().catch((err: unknown) => {
    throw new Error(`Kafka at ${infra.kafkaBrokers.join(',')} is unreachable; start the test infrastructure`, { cause: err });
  });
  // Auto-creation is disabled on the broker; the topic mirrors `products` (3 partitions, compacted).
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic: TOPIC, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
  });
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();

  indexer = newIndexer();
  await indexer.start();
});

afterAll(async () => {
  for (const i of started) await i.stop();
  await producer?.disconnect();
  if (admin) {
    await admin.deleteGroups([GROUP, REPLAY_GROUP]).catch(() => {});
    await admin.deleteTopics({ topics: [TOPIC] }).catch(() => {});
    await admin.disconnect();
  }
  if (es) {
    await es.indices.delete({ index: [INDEX, REPLAY_INDEX], ignore_unavailable: true });
    await es.close();
  }
});

describe('ProductIndexer', () => {
  it('when products are published keyed by SKU, then each can be read from the repository', async () => {
    const published = ['A-1', 'A-2', 'A-3', 'A-4', 'A-5'].map((sku) => product(sku));
    await send(published.map(keyed));
    for (const p of published) {
      expect(await eventually(() => repo.get(p.sku), (found) => found !== undefined)).toEqual(p);
    }
  });

  it('when a SKU is published twice, then the later version wins', async () => {
    await send([keyed(product('B-1', 'first')), keyed(product('B-1', 'second'))]);
    await caughtUp();
    expect((await repo.get('B-1'))?.description).toBe('second');

    await send([keyed(product('B-1', 'third'))]);
    await eventually(() => repo.get('B-1'), (found) => found?.description === 'third');
  });

  it('when a tombstone is published, then the product is deleted', async () => {
    await send([keyed(product('C-1'))]);
    await eventually(() => repo.get('C-1'), (found) => found !== undefined);

    await send([{ key: 'C-1', value: null }]);
    await eventually(() => repo.get('C-1'), (found) => found === undefined);
  });

  it('when records are malformed, then they are skipped, committed, and later records on their partitions still index', async () => {
    const rejectedBefore = indexer.health().totals.rejected ?? 0;
    await send([
      { key: 'M-1', value: '{not json' },
      { key: 'M-2', value: JSON.stringify({ sku: 'M-2', price: -1 }) },
      { key: 'M-3', value: JSON.stringify(product('someone-else')) },
    ]);
    // Nothing else is pending, so the group reaching the end means the bad records were passed over.
    await caughtUp();
    expect((indexer.health().totals.rejected ?? 0) - rejectedBefore).toBe(3);
    expect(await repo.get('M-1')).toBeUndefined();
    expect(await repo.get('M-2')).toBeUndefined();

    // Same keys, so the same partitions as the bad records.
    await send([keyed(product('M-1')), keyed(product('M-2')), keyed(product('M-3'))]);
    for (const sku of ['M-1', 'M-2', 'M-3']) {
      await eventually(() => repo.get(sku), (found) => found?.sku === sku);
    }
  });

  it('when the indexer restarts in the same group, then it re-reads nothing it committed and the index is unchanged', async () => {
    await caughtUp();
    const before = await snapshot(es, INDEX);
    expect(before.length).toBeGreaterThan(0);
    await indexer.stop();

    indexer = newIndexer();
    await indexer.start();
    // One fresh record per partition: once all are indexed, every partition has been fetched past its committed offset.
    const sentinels = [0, 1, 2].map((partition) => ({ partition, ...keyed(product(`S-${partition}`)) }));
    await send(sentinels);
    for (const s of sentinels) await eventually(() => repo.get(String(s.key)), (found) => found !== undefined);
    await caughtUp();

    expect(indexer.health().totals.records).toBe(sentinels.length);
    const after = (await snapshot(es, INDEX)).filter((d) => !d.id.startsWith('S-'));
    expect(after).toEqual(before);
    expect(indexer.health().lag).toBe(0);
  });
});

describe('ProductIndexer when Elasticsearch is down', () => {
  it('when bulk requests fail, then nothing is committed; when it is back, then a replay from scratch yields the same index', async () => {
    await ensureProductIndex(es, REPLAY_INDEX);
    // A TCP relay to the real Elasticsearch that starts "down" (nothing listens), so the outage
    // is a real network failure rather than a stubbed client.
    const esUrl = new URL(infra.elasticsearchUrl);
    const proxy = await tcpForwarder({ host: esUrl.hostname, port: Number(esUrl.port || 80) });
    const viaProxy = new Client({ node: `http://127.0.0.1:${proxy.port}`, maxRetries: 0, requestTimeout: 2_000 });
    try {
      const replay = newIndexer({ groupId: REPLAY_GROUP, products: new ElasticsearchProductRepository(viaProxy, REPLAY_INDEX) });
      await replay.start();

      await eventually(() => replay.health(), (h) => (h.retrying?.attempt ?? 0) >= 3);
      expect(replay.ready).toBe(true);
      expect((await offsets(REPLAY_GROUP)).every((p) => p.committed === '-1')).toBe(true);

      await proxy.start();
      await caughtUp(REPLAY_GROUP);
      expect(replay.health().retrying).toBeNull();
      const sources = async (index: string) => (await snapshot(es, index)).map(({ id, source }) => ({ id, source }));
      expect(await sources(REPLAY_INDEX)).toEqual(await sources(INDEX));
      await replay.stop();
    } finally {
      await viaProxy.close();
      await proxy.stop();
    }
  });
});

describe('GET /health with the indexer', () => {
  it('when the indexer has not joined its group, then it is 503 naming the indexer state', async () => {
    const idle = newIndexer({ groupId: `${GROUP}-idle` });
    await withApp(idle, async (url) => {
      const res = await fetch(`${url}/health`);
      const body = (await res.json()) as { checks: Record<string, { ok: boolean; error?: string }> };
      expect(res.status).toBe(503);
      expect(body.checks.elasticsearch?.ok).toBe(true);
      expect(body.checks.indexer).toEqual({ ok: false, error: 'indexer is idle' });
      expect((await fetch(`${url}/health/indexer`)).status).toBe(503);
    });
  });

  it('when the indexer is consuming, then it is 200 and /health/indexer reports partitions and lag', async () => {
    await withApp(indexer, async (url) => {
      const res = await fetch(`${url}/health`);
      expect(res.status).toBe(200);
      const detail = await fetch(`${url}/health/indexer`);
      expect(detail.status).toBe(200);
      expect(await detail.json()).toMatchObject({ status: 'consuming', topic: TOPIC, groupId: GROUP, partitions: [0, 1, 2], lag: 0, retrying: null });
    });
  });
});

async function withApp(probe: ProductIndexer, fn: (url: string) => Promise<void>): Promise<void> {
  const server = await new Promise<Server>((resolve, reject) => {
    // No stock index behind it: only /health is asked.
    const s = createApp({ logger, products: repo, stock: new ElasticsearchStockRepository(es, `${INDEX}-stock`), views: new ElasticsearchProductViews(es, INDEX, `${INDEX}-stock`), indexer: probe }).listen(0, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}
