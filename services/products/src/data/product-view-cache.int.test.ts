import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from '@elastic/elasticsearch';
import { eventually, listenLocal } from '@oms/service-kit/testing';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import { createApp } from '../app.js';
import type { Product } from '../domain/product.js';
import type { StockRecord } from '../domain/stock.js';
import { ProductIndexer } from '../indexer/product-indexer.js';
import { StockIndexer } from '../indexer/stock-indexer.js';
import { indexerTestRun } from '../test-support/indexer-run.js';
import { testProduct } from '../test-support/test-product.js';
import { ensureProductIndex, ensureStockIndex } from './product-index.js';
import { ElasticsearchProductRepository } from './product-repository.js';
import { cachedProducts, cachedStock, ProductViewCache } from './product-view-cache.js';
import { ElasticsearchProductViews, type ProductViewSource, type ViewRead } from './product-views.js';
import { ElasticsearchStockRepository } from './stock-repository.js';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

const infra = testInfra();
const { topic: PRODUCTS_TOPIC, group: PRODUCTS_GROUP, index: INDEX, logger } = indexerTestRun('cache');
const { topic: STOCK_TOPIC, group: STOCK_GROUP, index: STOCK_INDEX } = indexerTestRun('cache-stock');
const CLOSED_STOCK_INDEX = `${STOCK_INDEX}_closed`;
/** Long enough that only the write-through can explain a fresh read in the indexer tests. */
const LONG_TTL_MS = 120_000;

const product = testProduct;
const stockOf = (sku: string, available: number, version: number): StockRecord => ({ sku, onHand: available, reserved: 0, available, version, at: '2026-01-01T00:00:00.000Z' });

/** The port in front of Elasticsearch, counting the reads that reach it. */
class CountingViews implements ProductViewSource {
  reads = 0;
  constructor(private readonly inner: ProductViewSource) {}
  read(sku: string): Promise<ViewRead> {
    this.reads++;
    return this.inner.read(sku);
  }
}

/** A source whose next read waits at the door until `open` is called: a read held in flight. */
class GatedViews implements ProductViewSource {
  reads = 0;
  private gate: Promise<void> = Promise.resolve();
  private release: () => void = () => undefined;
  constructor(private readonly inner: ProductViewSource) {}
  close(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }
  open(): void {
    this.release();
  }
  async read(sku: string): Promise<ViewRead> {
    this.reads++;
    const read = this.inner.read(sku);
    await this.gate;
    return read;
  }
}

let es: Client;
let products: ElasticsearchProductRepository;
let stock: ElasticsearchStockRepository;
let views: ElasticsearchProductViews;
let admin: Admin;
let producer: Producer;

beforeAll(async () => {
  es = new Client({ node: infra.elasticsearchUrl, maxRetries: 0, requestTimeout: 10_000 });
  await ensureProductIndex(es, INDEX);
  await ensureStockIndex(es, STOCK_INDEX);
  products = new ElasticsearchProductRepository(es, INDEX);
  stock = new ElasticsearchStockRepository(es, STOCK_INDEX);
  views = new ElasticsearchProductViews(es, INDEX, STOCK_INDEX);
  const kafka = new Kafka({ clientId: 'products-cache-test', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [PRODUCTS_TOPIC, STOCK_TOPIC].map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] })),
  });
  producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
});

afterAll(async () => {
  await producer?.disconnect();
  await admin?.deleteGroups([PRODUCTS_GROUP, STOCK_GROUP]).catch(() => undefined);
  await admin?.deleteTopics({ topics: [PRODUCTS_TOPIC, STOCK_TOPIC] }).catch(() => undefined);
  await admin?.disconnect();
  await es?.indices.delete({ index: [INDEX, STOCK_INDEX, CLOSED_STOCK_INDEX], ignore_unavailable: true });
  await es?.close();
});

describe('the read cache kept by the indexers', () => {
  let cache: ProductViewCache;
  let source: CountingViews;
  let productIndexer: ProductIndexer;
  let stockIndexer: StockIndexer;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    source = new CountingViews(views);
    cache = new ProductViewCache(source, { max: 100, ttlMs: LONG_TTL_MS });
    // As server.ts wires them: the indexers write through the cache's wrappers.
    const fast = { initialMs: 50, maxMs: 300 };
    productIndexer = new ProductIndexer({ brokers: infra.kafkaBrokers, groupId: PRODUCTS_GROUP, topic: PRODUCTS_TOPIC, products: cachedProducts(products, cache), logger, joinTimeoutMs: 30_000, writeBackoff: fast });
    stockIndexer = new StockIndexer({ brokers: infra.kafkaBrokers, groupId: STOCK_GROUP, topic: STOCK_TOPIC, stock: cachedStock(stock, cache), logger, joinTimeoutMs: 30_000, writeBackoff: fast });
    await productIndexer.start();
    await stockIndexer.start();
    server = await listenLocal(createApp({ logger, products, stock, views: cache }));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await Promise.all([productIndexer?.stop(), stockIndexer?.stop()]);
  });

  /** Publishes on `topic`, then waits until the indexer's `counter` has grown by the records' count. */
  async function indexed(indexer: ProductIndexer | StockIndexer, counter: string, topic: string, messages: Array<{ key: string; value: string | null }>): Promise<void> {
    const before = indexer.health().totals[counter] ?? 0;
    await producer.send({ topic, acks: -1, messages });
    await eventually(() => indexer.health().totals[counter] ?? 0, (n) => n >= before + messages.length, { what: `${counter} +${messages.length}` });
  }

  const getView = async (sku: string) => {
    const res = await fetch(`${url}/products/${sku}`);
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('when the indexer upserts a product that is cached, then the next read returns the new product at once, from the cache', async () => {
    await indexed(productIndexer, 'upserted', PRODUCTS_TOPIC, [{ key: 'C-1', value: JSON.stringify(product('C-1', 'first')) }]);
    expect((await getView('C-1')).body).toMatchObject({ sku: 'C-1', description: 'first', available: null });
    const reads = source.reads;
    await indexed(productIndexer, 'upserted', PRODUCTS_TOPIC, [{ key: 'C-1', value: JSON.stringify(product('C-1', 'second')) }]);
    expect(await getView('C-1')).toEqual({ status: 200, body: { ...product('C-1', 'second'), available: null } });
    expect(source.reads).toBe(reads);
  });

  it('when the indexer deletes a product that is cached, then the next read is a 404 at once', async () => {
    await indexed(productIndexer, 'upserted', PRODUCTS_TOPIC, [{ key: 'C-2', value: JSON.stringify(product('C-2')) }]);
    expect((await getView('C-2')).status).toBe(200);
    await indexed(productIndexer, 'deleted', PRODUCTS_TOPIC, [{ key: 'C-2', value: null }]);
    expect(await getView('C-2')).toMatchObject({ status: 404, body: { error: 'not_found', details: { product: 'C-2' } } });
  });

  it('when the stock indexer stores a record of a cached product, then the next read carries the new available at once', async () => {
    await indexed(productIndexer, 'upserted', PRODUCTS_TOPIC, [{ key: 'C-3', value: JSON.stringify(product('C-3')) }]);
    await indexed(stockIndexer, 'stored', STOCK_TOPIC, [{ key: 'C-3', value: JSON.stringify(stockOf('C-3', 5, 1)) }]);
    expect((await getView('C-3')).body).toMatchObject({ sku: 'C-3', available: 5 });
    await indexed(stockIndexer, 'stored', STOCK_TOPIC, [{ key: 'C-3', value: JSON.stringify(stockOf('C-3', 2, 2)) }]);
    expect((await getView('C-3')).body).toMatchObject({ sku: 'C-3', available: 2 });
  });

  it('when an unknown SKU was read (a cached 404) and the indexer then upserts it, then the next read finds it with its stock', async () => {
    await indexed(stockIndexer, 'stored', STOCK_TOPIC, [{ key: 'C-4', value: JSON.stringify(stockOf('C-4', 9, 1)) }]);
    expect((await getView('C-4')).status).toBe(404);
    const reads = source.reads;
    expect((await getView('C-4')).status).toBe(404);
    expect(source.reads).toBe(reads);
    await indexed(productIndexer, 'upserted', PRODUCTS_TOPIC, [{ key: 'C-4', value: JSON.stringify(product('C-4')) }]);
    expect(await getView('C-4')).toEqual({ status: 200, body: { ...product('C-4'), available: 9 } });
  });
});

describe('ProductViewCache', () => {
  it('when the index is written from outside the process, then the old view is served until the TTL ends, then the new one', async () => {
    await products.bulkUpsert([product('T-1', 'before')]);
    const source = new CountingViews(views);
    const cache = new ProductViewCache(source, { max: 10, ttlMs: 500 });
    expect((await cache.read('T-1')).view?.description).toBe('before');
    await products.bulkUpsert([product('T-1', 'after')]); // not through the cache: an outside writer
    expect((await cache.read('T-1')).view?.description).toBe('before');
    await sleep(600);
    expect((await cache.read('T-1')).view?.description).toBe('after');
    expect(source.reads).toBe(2);
  });

  it('when many reads of one uncached SKU come at once, then the source is read once and every reader gets the view', async () => {
    await products.bulkUpsert([product('M-1')]);
    const source = new CountingViews(views);
    const cache = new ProductViewCache(source, { max: 10, ttlMs: LONG_TTL_MS });
    const answers = await Promise.all(Array.from({ length: 20 }, () => cache.read('M-1')));
    expect(answers.map((a) => a.view?.sku)).toEqual(Array.from({ length: 20 }, () => 'M-1'));
    expect(source.reads).toBe(1);
  });

  it('when concurrent reads of an unknown SKU come, then they share one read, all get null, and the 404 is kept', async () => {
    const source = new CountingViews(views);
    const cache = new ProductViewCache(source, { max: 10, ttlMs: LONG_TTL_MS });
    const answers = await Promise.all(Array.from({ length: 5 }, () => cache.read('NO-SUCH-1')));
    expect(answers).toEqual(Array.from({ length: 5 }, () => ({ view: null })));
    expect(await cache.read('NO-SUCH-1')).toEqual({ view: null });
    expect(source.reads).toBe(1);
  });

  it('when a write of a SKU lands while a read of it is in flight, then that read answers its callers but is not kept', async () => {
    await products.bulkUpsert([product('R-1', 'old')]);
    const source = new GatedViews(views);
    const cache = new ProductViewCache(source, { max: 10, ttlMs: LONG_TTL_MS });
    source.close();
    const inFlight = cache.read('R-1');
    await cachedProducts(products, cache).bulkUpsert([product('R-1', 'new')]);
    source.open();
    await inFlight;
    expect((await cache.read('R-1')).view?.description).toBe('new');
    expect(source.reads).toBe(2);
  });

  it('when a cached product is written and its bulk fails for it, then it is evicted and read again', async () => {
    await products.bulkUpsert([product('F-1', 'kept')]);
    const source = new CountingViews(views);
    const cache = new ProductViewCache(source, { max: 10, ttlMs: LONG_TTL_MS });
    await cache.read('F-1');
    // A field the strict mapping refuses: Elasticsearch fails this document alone (a 400).
    const refused = { ...product('F-1', 'refused'), colour: 'red' } as Product;
    const result = await cachedProducts(products, cache).bulkUpsert([refused]);
    expect(result.failed.map((f) => f.sku)).toEqual(['F-1']);
    expect((await cache.read('F-1')).view?.description).toBe('kept');
    expect(source.reads).toBe(2);
  });

  it('when the stock cannot be read, then the view is served with available null and not kept', async () => {
    await products.bulkUpsert([product('S-1')]);
    await ensureStockIndex(es, CLOSED_STOCK_INDEX);
    await es.indices.close({ index: CLOSED_STOCK_INDEX });
    const source = new CountingViews(new ElasticsearchProductViews(es, INDEX, CLOSED_STOCK_INDEX));
    const cache = new ProductViewCache(source, { max: 10, ttlMs: LONG_TTL_MS });
    const first = await cache.read('S-1');
    expect(first.view).toEqual({ ...product('S-1'), available: null });
    expect(first.stockError?.message).toMatch(/index_closed_exception/);
    await cache.read('S-1');
    expect(source.reads).toBe(2);
  });

  it('when more SKUs are read than it holds, then the least recently read is read again', async () => {
    await products.bulkUpsert([product('L-1'), product('L-2'), product('L-3')]);
    const source = new CountingViews(views);
    const cache = new ProductViewCache(source, { max: 2, ttlMs: LONG_TTL_MS });
    for (const sku of ['L-1', 'L-2', 'L-3']) await cache.read(sku);
    expect(cache.size).toBe(2);
    await cache.read('L-3');
    expect(source.reads).toBe(3);
    await cache.read('L-1');
    expect(source.reads).toBe(4);
  });
});
