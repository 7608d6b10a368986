import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Client } from '@elastic/elasticsearch';
import { createLogger } from '@oms/service-kit';
import { describeOpenApiContract, ResponseLog, routeCoverage } from '@oms/service-kit/openapi-check';
import { listenLocal } from '@oms/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
import { createApp, type IndexerProbe } from '../app.js';
import { ensureProductIndex, ensureStockIndex } from '../data/product-index.js';
import { ElasticsearchProductRepository } from '../data/product-repository.js';
import { ElasticsearchProductViews } from '../data/product-views.js';
import { ElasticsearchStockRepository } from '../data/stock-repository.js';
import type { Product } from '../domain/product.js';
import type { StockRecord } from '../domain/stock.js';

const INDEX = 'products_test';
const STOCK_INDEX = 'products_test_stock';
const CLOSED_STOCK_INDEX = 'products_test_stock_closed';
const logger = createLogger('products-test', 'silent');
const base = { length: 10, width: 20, height: 5, weight: 1.5, unitMeasurement: 'CM' };
const products: Product[] = [
  { ...base, sku: 'SKU-003', description: 'Stainless steel frying pan', price: 39.9, productType: 'KITCHEN', hierarchies: [{ hierarchyName: 'H1', hierarchyDescription: 'Cookware' }] },
  {
    ...base,
    sku: 'SKU-001',
    description: 'Wireless optical mouse',
    price: 19.99,
    productType: 'ELECTRONICS',
    hierarchies: [
      { hierarchyName: 'H1', hierarchyDescription: 'Computers' },
      { hierarchyName: 'H2', hierarchyDescription: 'Accessories' },
    ],
  },
  { ...base, sku: 'SKU-002', description: 'Mechanical keyboard', price: 89, productType: 'ELECTRONICS', hierarchies: [{ hierarchyName: 'H1', hierarchyDescription: 'Computers' }] },
  { ...base, sku: 'SKU-004', description: 'Cast iron skillet', price: 49.5, productType: 'KITCHEN', hierarchies: [{ hierarchyName: 'H1', hierarchyDescription: 'Cookware' }] },
];

// SKU-001 and SKU-003 have stock; SKU-002 and SKU-004 never had any published.
const stockRecords: StockRecord[] = [
  { sku: 'SKU-001', onHand: 10, reserved: 3, available: 7, version: 4, at: '2026-01-01T00:00:00.000Z' },
  { sku: 'SKU-003', onHand: 0, reserved: 0, available: 0, version: 9, at: '2026-01-01T00:00:00.000Z' },
];

let client: Client;
let app: ReturnType<typeof createApp>;
let server: Server;
let baseUrl: string;
/** Every answer the tests receive, checked against /openapi.json at the end. */
const answers = new ResponseLog();
let repo: ElasticsearchProductRepository;
let stock: ElasticsearchStockRepository;


async function getJson(path: string, url = baseUrl): Promise<{ status: number; body: any }> {
  const { status, body } = await answers.call('GET', `${url}${path}`);
  return { status, body };
}

beforeAll(async () => {
  client = new Client({ node: testInfra().elasticsearchUrl });
  await client.indices.delete({ index: [INDEX, STOCK_INDEX], ignore_unavailable: true });
  await ensureProductIndex(client, INDEX);
  await ensureStockIndex(client, STOCK_INDEX);
  repo = new ElasticsearchProductRepository(client, INDEX);
  stock = new ElasticsearchStockRepository(client, STOCK_INDEX);
  const written = await repo.bulkUpsert(products, { refresh: true });
  expect(written.failed).toEqual([]);
  expect(await stock.bulkPut(stockRecords, { refresh: true })).toEqual({ stored: 2, stale: 0, failed: [] });
  app = createApp({ logger, products: repo, stock, views: new ElasticsearchProductViews(client, INDEX, STOCK_INDEX) });
  server = await listenLocal(app);
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await client?.indices.delete({ index: [INDEX, STOCK_INDEX], ignore_unavailable: true });
  await client?.close();
});

describe('GET /products', () => {
  it('when there is no text, then every product is listed sorted by sku with the page echoed', async () => {
    const { status, body } = await getJson('/products');
    expect(status).toBe(200);
    expect(body.items.map((p: Product) => p.sku)).toEqual(['SKU-001', 'SKU-002', 'SKU-003', 'SKU-004']);
    expect(body).toMatchObject({ total: 4, limit: 20, offset: 0 });
    expect(body.items[0]).toEqual({ ...products[1], available: 7 });
  });

  it('when products are listed, then each carries the available units the inventory published (null without any)', async () => {
    const { body } = await getJson('/products');
    expect(body.items.map((p: { sku: string; available: number | null }) => [p.sku, p.available])).toEqual([
      ['SKU-001', 7],
      ['SKU-002', null],
      ['SKU-003', 0],
      ['SKU-004', null],
    ]);
  });

  it('when limit and offset are given, then that page is returned with the full total', async () => {
    const { status, body } = await getJson('/products?limit=2&offset=1');
    expect(status).toBe(200);
    expect(body.items.map((p: Product) => p.sku)).toEqual(['SKU-002', 'SKU-003']);
    expect(body).toMatchObject({ total: 4, limit: 2, offset: 1 });
  });

  it('when text matches a description word, then only those products are returned', async () => {
    const { body } = await getJson('/products?text=KEYBOARD');
    expect(body.items.map((p: Product) => p.sku)).toEqual(['SKU-002']);
    expect(body.total).toBe(1);
  });

  it('when text matches a hierarchy description, then the products in it are returned', async () => {
    const { body } = await getJson('/products?text=cookware');
    expect(body.items.map((p: Product) => p.sku).sort()).toEqual(['SKU-003', 'SKU-004']);
  });

  it('when words come from both description and hierarchy, then the product still matches', async () => {
    const { body } = await getJson(`/products?text=${encodeURIComponent('steel cookware')}`);
    expect(body.items.map((p: Product) => p.sku)).toEqual(['SKU-003']);
  });

  it('when text is a sku in another case, then that product is returned', async () => {
    const { body } = await getJson('/products?text=sku-004');
    expect(body.items.map((p: Product) => p.sku)).toEqual(['SKU-004']);
  });

  it('when text is a product type, then the products of that type are returned', async () => {
    const { body } = await getJson('/products?text=electronics');
    expect(body.items.map((p: Product) => p.sku)).toEqual(['SKU-001', 'SKU-002']);
  });

  it('when text matches nothing, then the page is empty with total 0', async () => {
    const { status, body } = await getJson('/products?text=submarine');
    expect(status).toBe(200);
    expect(body).toEqual({ items: [], total: 0, limit: 20, offset: 0 });
  });

  it.each([['limit=0'], ['limit=101'], ['limit=abc'], ['offset=-1'], ['offset=9999&limit=20']])(
    'when the query has %s, then it is a 400 naming the field',
    async (qs) => {
      const { status, body } = await getJson(`/products?${qs}`);
      expect(status).toBe(400);
      expect(body.error).toBe('bad_request');
      expect(body.details[0].path).toMatch(/limit|offset/);
    },
  );
});

describe('GET /products/:sku', () => {
  it('when the sku exists, then the product is returned', async () => {
    const { status, body } = await getJson('/products/SKU-003');
    expect(status).toBe(200);
    expect(body).toEqual({ ...products[0], available: 0 });
  });

  it('when the inventory published stock for the sku, then available is beside the product; without stock it is null', async () => {
    expect((await getJson('/products/SKU-001')).body).toMatchObject({ sku: 'SKU-001', description: 'Wireless optical mouse', available: 7 });
    expect((await getJson('/products/SKU-002')).body).toMatchObject({ sku: 'SKU-002', available: null });
  });

  it('when the stock cannot be read, then the product is still served, with available null', async () => {
    const unreadable = () => Promise.reject(new Error('stock index unreadable'));
    // A closed stock index: the one read of GET /products/:sku gets an error for the stock document alone.
    await client.indices.delete({ index: CLOSED_STOCK_INDEX, ignore_unavailable: true });
    await ensureStockIndex(client, CLOSED_STOCK_INDEX);
    await client.indices.close({ index: CLOSED_STOCK_INDEX });
    const views = new ElasticsearchProductViews(client, INDEX, CLOSED_STOCK_INDEX);
    const s = await listenLocal(createApp({ logger, products: repo, stock: { available: unreadable }, views }));
    try {
      const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
      expect(await getJson('/products/SKU-001', url)).toEqual({ status: 200, body: { ...products[1], available: null } });
      expect((await getJson('/products?text=keyboard', url)).body.items).toEqual([{ ...products[2], available: null }]);
    } finally {
      await new Promise((resolve) => s.close(resolve));
      await client.indices.delete({ index: CLOSED_STOCK_INDEX, ignore_unavailable: true });
    }
  });

  it('when the sku is unknown, then it is a 404 naming it', async () => {
    const { status, body } = await getJson('/products/NOPE-1');
    expect(status).toBe(404);
    expect(body).toMatchObject({ error: 'not_found', details: { product: 'NOPE-1' } });
  });

  it('when the search text holds a NUL character, then it is a 400 naming it', async () => {
    const { status, body } = await getJson('/products?text=pan%00');
    expect(status).toBe(400);
    expect(body.details).toEqual([{ path: 'text', message: 'must not contain the NUL character (U+0000)' }]);
  });

  it('when the sku is absurdly long, then it is a 400', async () => {
    const { status } = await getJson(`/products/${'x'.repeat(200)}`);
    expect(status).toBe(400);
  });
});

describe('GET /health', () => {
  it('when Elasticsearch answers, then it is 200', async () => {
    const { status, body } = await getJson('/health');
    expect(status).toBe(200);
    expect(body.checks.elasticsearch.ok).toBe(true);
  });

  it('when Elasticsearch is unreachable, then it is 503', async () => {
    const dead = new Client({ node: 'http://127.0.0.1:1', maxRetries: 0, requestTimeout: 1000 });
    const app = createApp({ logger, products: new ElasticsearchProductRepository(dead, INDEX), stock: new ElasticsearchStockRepository(dead, STOCK_INDEX), views: new ElasticsearchProductViews(dead, INDEX, STOCK_INDEX) });
    const s = await listenLocal(app);
    try {
      const { status, body } = await getJson('/health', `http://127.0.0.1:${(s.address() as AddressInfo).port}`);
      expect(status).toBe(503);
      expect(body.checks.elasticsearch.ok).toBe(false);
    } finally {
      await new Promise((resolve) => s.close(resolve));
      await dead.close();
    }
  });
});

describe('unknown routes', () => {
  it('when the path is unknown, then it is a JSON 404', async () => {
    const { status, body } = await getJson('/nope');
    expect(status).toBe(404);
    expect(body.error).toBe('not_found');
  });
});

describe('GET /health/indexer and /health/stock', () => {
  it('when the app runs the indexers, then /health/indexer and /health/stock are in its document and their 200 and 503 answers match it', async () => {
    let ready = true;
    const probe: IndexerProbe = {
      get ready() {
        return ready;
      },
      health: () => ({
        status: ready ? 'consuming' : 'restarting',
        topic: 'products',
        groupId: 'products-indexer',
        partitions: [0, 1, 2],
        lag: ready ? 0 : null,
        lagByPartition: Object.fromEntries(ready ? [0, 1, 2].map((p) => [String(p), 0]) : []),
        retrying: ready ? null : { partitions: [1], attempt: 2, since: new Date().toISOString(), error: 'Elasticsearch is down' },
        totals: { batches: 1, records: 4, upserted: 4, deleted: 0, rejected: 0, skippedByElasticsearch: 0 },
        lastError: ready ? null : 'Elasticsearch is down',
      }),
    };
    const stockProbe: IndexerProbe = {
      get ready() {
        return ready;
      },
      health: () => ({ ...probe.health(), topic: 'inventory', groupId: 'products-stock', totals: { batches: 1, records: 3, stored: 2, stale: 1, rejected: 0, skippedByElasticsearch: 0 } }),
    };
    const withIndexer = createApp({ logger, products: new ElasticsearchProductRepository(client, INDEX), stock, views: new ElasticsearchProductViews(client, INDEX, STOCK_INDEX), indexer: probe, stockIndexer: stockProbe });
    const s = await listenLocal(withIndexer);
    const url = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    try {
      const log = new ResponseLog();
      const document = (await (await fetch(`${url}/openapi.json`)).json()) as object;
      expect(routeCoverage(withIndexer, document)).toEqual({ undocumented: [], unserved: [] });
      for (const path of ['/health/indexer', '/health/stock']) {
        for (const state of [true, false]) {
          ready = state;
          const res = await fetch(`${url}${path}`);
          log.add('GET', `${url}${path}`, res, await res.text());
        }
      }
      expect(log.seen.map((seen) => seen.status)).toEqual([200, 503, 200, 503]);
      expect(log.problems(document)).toEqual([]);
    } finally {
      await new Promise((resolve) => s.close(resolve));
    }
  });
});

describeOpenApiContract({ app: () => app, baseUrl: () => baseUrl, log: answers });
