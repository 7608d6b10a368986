import type { Server } from 'node:http';
import { Client } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../../test/infra.js';
// Test-only: the real products app answers over real HTTP, on an index of this test's own.
// Services never import each other in production code.
import { createApp as createProductsApp } from '../../../products/src/app.js';
import { ensureProductIndex } from '../../../products/src/data/product-index.js';
import { ElasticsearchProductRepository } from '../../../products/src/data/product-repository.js';
import { ElasticsearchProductViews } from '../../../products/src/data/product-views.js';
import { ElasticsearchStockRepository } from '../../../products/src/data/stock-repository.js';
import { DependencyUnavailableError } from '@oms/service-kit';
import { freePort } from '@oms/service-kit/testing';
import { listen } from '../test-support/net.js';
import { silentLogger } from '../test-support/redis.js';
import { HttpSkuCatalogue } from './http-sku-catalogue.js';

const INDEX = 'inventory_catalogue_test';
const product = { description: 'Kettle', price: 20, productType: 'KITCHEN', length: 1, width: 1, height: 1, weight: 1, unitMeasurement: 'CM', hierarchies: [] };
const servers: Server[] = [];
const clients: Client[] = [];
let productsUrl: string;

/** A URL nothing listens on. */
async function deadUrl(): Promise<string> {
  return `http://127.0.0.1:${await freePort()}`;
}

beforeAll(async () => {
  const client = new Client({ node: testInfra().elasticsearchUrl });
  clients.push(client);
  await client.indices.delete({ index: INDEX, ignore_unavailable: true });
  await ensureProductIndex(client, INDEX);
  const repo = new ElasticsearchProductRepository(client, INDEX);
  const written = await repo.bulkUpsert(
    ['SKU-00001', 'SKU/with space'].map((sku) => ({ ...product, sku })),
    { refresh: true },
  );
  expect(written.failed).toEqual([]);
  // No stock index: `available` reads as null, which the catalogue check does not look at.
  productsUrl = await listen(createProductsApp({ logger: silentLogger, products: repo, stock: new ElasticsearchStockRepository(client, `${INDEX}_stock`), views: new ElasticsearchProductViews(client, INDEX, `${INDEX}_stock`) }), servers);
});

afterAll(async () => {
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await clients[0]?.indices.delete({ index: INDEX, ignore_unavailable: true });
  await Promise.all(clients.map((client) => client.close()));
});

describe('HttpSkuCatalogue', () => {
  it('when some SKUs are in the products catalogue, then exactly the others are unknown, in the order given', async () => {
    const catalogue = new HttpSkuCatalogue({ productsUrl });
    expect(await catalogue.unknownSkus(['NOPE-1', 'SKU-00001', 'SKU/with space', 'NOPE-2'])).toEqual(['NOPE-1', 'NOPE-2']);
    expect(await catalogue.unknownSkus([])).toEqual([]);
  });

  it('when the products service does not answer, then it is unavailable, not "unknown"', async () => {
    const catalogue = new HttpSkuCatalogue({ productsUrl: await deadUrl() });
    const err = await catalogue.unknownSkus(['SKU-00001']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyUnavailableError);
    expect(err).toMatchObject({ status: 503, details: { dependency: 'products' } });
    expect((err as Error).message).toContain('ECONNREFUSED');
  });

  it('when the products service answers 503 (its Elasticsearch is gone), then it is unavailable', async () => {
    const brokenClient = new Client({ node: await deadUrl(), maxRetries: 0 });
    clients.push(brokenClient);
    const brokenUrl = await listen(
      createProductsApp({ logger: silentLogger, products: new ElasticsearchProductRepository(brokenClient, INDEX), stock: new ElasticsearchStockRepository(brokenClient, `${INDEX}_stock`), views: new ElasticsearchProductViews(brokenClient, INDEX, `${INDEX}_stock`) }),
      servers,
    );
    const err = await new HttpSkuCatalogue({ productsUrl: brokenUrl }).unknownSkus(['SKU-00001']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DependencyUnavailableError);
    expect((err as Error).message).toContain('answered 503');
  });
});
