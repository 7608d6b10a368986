import { consumerHealthOperation, defineApi, getByKeyOperation, notFound, type OpenApiDocument, pagedListOperation } from '@oms/service-kit/openapi';
import { consumerHealthSchema } from '@oms/service-kit/kafka';
import { productSearchSchema, skuParamSchema } from '../domain/product.js';
import { productViewPageSchema, productViewSchema } from '../domain/stock.js';

const product = {
  sku: 'SKU-00004',
  description: 'Electric kettle 1.7 l',
  price: 34.9,
  productType: 'KITCHEN',
  length: 22,
  width: 16,
  height: 25,
  weight: 1.2,
  unitMeasurement: 'CM',
  hierarchies: [{ hierarchyName: 'H1', hierarchyDescription: 'Small appliances' }],
  available: 12,
};

/** `GET /health/indexer`'s body: service-kit's consumer report with the indexer's counters. */
const indexerHealthSchema = consumerHealthSchema(['upserted', 'deleted', 'rejected', 'skippedByElasticsearch']);

/** `GET /health/stock`'s body: the same report, with the stock indexer's counters. */
const stockIndexerHealthSchema = consumerHealthSchema(['stored', 'stale', 'rejected', 'skippedByElasticsearch']);

/** `GET /health/indexer`, served when the indexer runs in this process (INDEXER_ENABLED). */
const indexerOperation = consumerHealthOperation({
  path: '/health/indexer',
  summary: "The products indexer's state and lag",
  description: 'The Kafka consumer that keeps Elasticsearch in step with topic `products`. Lag does not count against `/health`.',
  schema: indexerHealthSchema,
  topic: 'products',
  groupId: 'products-indexer',
  totals: { batches: 12, records: 1000, upserted: 1000, deleted: 0, rejected: 0, skippedByElasticsearch: 0 },
});

/** `GET /health/stock`, served when the stock indexer runs in this process (INDEXER_ENABLED). */
const stockIndexerOperation = consumerHealthOperation({
  path: '/health/stock',
  summary: "The stock indexer's state and lag",
  description:
    'The Kafka consumer that keeps `available` in step with topic `inventory` (a record not newer than the stored one is dropped and counted as `stale`). It does not count against `/health`: stale or missing stock makes `available` late or null, never the catalogue unusable.',
  schema: stockIndexerHealthSchema,
  topic: 'inventory',
  groupId: 'products-stock',
  totals: { batches: 40, records: 2200, stored: 2150, stale: 50, rejected: 0, skippedByElasticsearch: 0 },
});

/**
 * The products API (`GET /openapi.json`, `GET /docs`): routes/products.ts with the schemas it
 * validates with (domain/product.ts, domain/stock.ts), and `/health/indexer` and `/health/stock`
 * when the app serves them. The
 * route-coverage test in routes/products.int.test.ts fails when they drift apart.
 */
export function productsApi({ indexer, stockIndexer }: { indexer: boolean; stockIndexer: boolean }): OpenApiDocument {
  return defineApi({
    title: 'products',
    dependency: 'elasticsearch',
    version: '0.1.0',
    description:
      'The product catalogue, searched in Elasticsearch. Written only by its indexer from topic `products` (`oms seed` publishes there): there is no write API. Each product carries `available`, the units the inventory last published on topic `inventory` (null while none was), kept by a second indexer.',
    schemas: { Product: productViewSchema, ProductPage: productViewPageSchema },
    operations: [
      pagedListOperation({
        path: '/products',
        tag: 'products',
        summary: 'Search products',
        description: 'Full-text search on the description when `text` is given (best match first), else every product by SKU. `offset + limit` may not exceed 10000.',
        query: productSearchSchema,
        page: productViewPageSchema,
        item: product,
        invalid: ['offset', 'offset + limit must not exceed 10000'],
      }),
      getByKeyOperation({
        path: '/products/:sku',
        tag: 'products',
        summary: 'Get a product by SKU',
        params: skuParamSchema,
        found: 'The product.',
        schema: productViewSchema,
        example: product,
        invalid: ['sku', 'Too big: expected string to have <=128 characters'],
        notFound: notFound('No product has this SKU.', 'product', 'NOPE', 'an unknown SKU'),
      }),
      ...(indexer ? [indexerOperation] : []),
      ...(stockIndexer ? [stockIndexerOperation] : []),
    ],
  });
}
