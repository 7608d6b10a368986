import { isDeepStrictEqual } from 'node:util';
import { Client } from '@elastic/elasticsearch';
import { eventually } from '@oms/service-kit/testing';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import { ensureStockIndex } from '../data/product-index.js';
import { ElasticsearchStockRepository } from '../data/stock-repository.js';
import type { StockRecord } from '../domain/stock.js';
import { StockIndexer } from './stock-indexer.js';
import { indexerTestRun } from '../test-support/indexer-run.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const infra = testInfra();
const { topic: TOPIC, group: GROUP, replayGroup: REPLAY_GROUP, index: INDEX, replayIndex: REPLAY_INDEX, logger } = indexerTestRun('stock');

const stockOf = (sku: string, version: number, available: number): StockRecord & { cause: string } => ({
  sku,
  onHand: available + 2,
  reserved: 2,
  available,
  version,
  at: new Date(Date.UTC(2026, 1, 1, 0, 0, version)).toISOString(),
  cause: 'reserve',
});

let es: Client;
let admin: Admin;
let producer: Producer;
const indexers: StockIndexer[] = [];

function newIndexer(groupId: string, index: string): StockIndexer {
  const indexer = new StockIndexer({ brokers: infra.kafkaBrokers, groupId, topic: TOPIC, stock: new ElasticsearchStockRepository(es, index), logger, joinTimeoutMs: 30_000, writeBackoff: { initialMs: 50, maxMs: 300 } });
  indexers.push(indexer);
  return indexer;
}

async function send(records: Array<StockRecord | string>): Promise<void> {
  await producer.send({ topic: TOPIC, acks: -1, messages: records.map((r) => (typeof r === 'string' ? { key: 'BAD', value: r } : { key: r.sku, value: JSON.stringify(r) })) });
}

/** The stored stock documents, by SKU. */
async function stored(index: string): Promise<Record<string, { available: number; version: number }>> {
  await es.indices.refresh({ index });
  const res = await es.search<{ sku: string; available: number; version: number }>({ index, size: 100, query: { match_all: {} } });
  return Object.fromEntries(res.hits.hits.map((h) => [h._id!, { available: h._source!.available, version: h._source!.version }]));
}

beforeAll(async () => {
  es = new Client({ node: infra.elasticsearchUrl, maxRetries: 0, requestTimeout: 10_000 });
  await ensureStockIndex(es, INDEX);
  await ensureStockIndex(es, REPLAY_INDEX);
  const kafka = new Kafka({ clientId: 'products-stock-test', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000 });
  admin = kafka.admin();
  await admin.connect();
  // Like `inventory`: 3 partitions, compacted, keyed by SKU.
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

afterAll(async () => {
  for (const indexer of indexers) await indexer.stop();
  await producer?.disconnect();
  await admin?.deleteGroups([GROUP, REPLAY_GROUP]).catch(() => undefined);
  await admin?.deleteTopics({ topics: [TOPIC] }).catch(() => undefined);
  await admin?.disconnect();
  await es?.indices.delete({ index: [INDEX, REPLAY_INDEX], ignore_unavailable: true });
  await es?.close();
});

describe('StockIndexer', () => {
  it('when stock records arrive, then each SKU keeps its newest; an older record that comes later is dropped as stale', async () => {
    const indexer = newIndexer(GROUP, INDEX);
    await indexer.start();
    await send([stockOf('S-1', 1, 10), stockOf('S-1', 2, 9), stockOf('S-2', 1, 4)]);
    await eventually(() => stored(INDEX), (docs) => docs['S-1']?.version === 2 && docs['S-2']?.version === 1);

    // A publisher retry repeats an older state after a newer one was stored: it must not win.
    await send([stockOf('S-1', 5, 3)]);
    await eventually(() => stored(INDEX), (docs) => docs['S-1']?.version === 5);
    const staleBefore = indexer.health().totals.stale ?? 0;
    await send([stockOf('S-1', 4, 6), stockOf('S-1', 5, 3)]);
    await eventually(async () => indexer.health().totals.stale ?? 0, (stale) => stale > staleBefore);
    expect((await stored(INDEX))['S-1']).toEqual({ available: 3, version: 5 });
  });

  it('when a record is not a stock record, then it is skipped and counted, and later records still index', async () => {
    const indexer = indexers[0]!;
    const rejectedBefore = indexer.health().totals.rejected ?? 0;
    await send(['{not json', stockOf('S-3', 1, 1)]);
    await eventually(() => stored(INDEX), (docs) => docs['S-3'] !== undefined);
    await eventually(async () => indexer.health().totals.rejected ?? 0, (n) => n === rejectedBefore + 1);
  });

  it('when the topic is replayed from the start by a new group, then the index converges to the same newest stock', async () => {
    const replay = newIndexer(REPLAY_GROUP, REPLAY_INDEX);
    await replay.start();
    const expected = await stored(INDEX);
    await eventually(() => stored(REPLAY_INDEX), (docs) => isDeepStrictEqual(docs, expected));
    expect(await stored(REPLAY_INDEX)).toEqual(expected);
  });
});
