import { type ApiOperation, defineApi, getByKeyOperation, notFound, type OpenApiDocument, pagedListOperation } from '@oms/service-kit/openapi';
import { z } from 'zod';
import { productPageSchema, productSchema, productSearchSchema, skuParamSchema } from '../domain/product.js';
import type { IndexerHealth } from '../indexer/product-indexer.js';

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
};

/** `GET /health/indexer`'s body; typed against the indexer's own report, so the two cannot drift. */
const indexerHealthSchema: z.ZodType<IndexerHealth> = z.object({
  status: z.enum(['idle', 'starting', 'consuming', 'restarting', 'stopping', 'stopped', 'crashed']),
  topic: z.string(),
  groupId: z.string(),
  partitions: z.array(z.number().int()),
  lag: z.number().int().nullable(),
  lagByPartition: z.record(z.string(), z.number().int()),
  retrying: z.object({ partitions: z.array(z.number().int()), attempt: z.number().int(), since: z.string(), error: z.string() }).nullable(),
  totals: z.object({ batches: z.number().int(), records: z.number().int(), upserted: z.number().int(), deleted: z.number().int(), rejected: z.number().int(), skippedByElasticsearch: z.number().int() }),
  lastError: z.string().nullable(),
});

const indexerHealth: IndexerHealth = {
  status: 'consuming',
  topic: 'products',
  groupId: 'products-indexer',
  partitions: [0, 1, 2],
  lag: 0,
  lagByPartition: { '0': 0, '1': 0, '2': 0 },
  retrying: null,
  totals: { batches: 12, records: 1000, upserted: 1000, deleted: 0, rejected: 0, skippedByElasticsearch: 0 },
  lastError: null,
};

/** `GET /health/indexer`, served when the indexer runs in this process (INDEXER_ENABLED). */
const indexerOperation: ApiOperation = {
  method: 'get',
  path: '/health/indexer',
  tag: 'service',
  summary: "The products indexer's state and lag",
  description: 'The Kafka consumer that keeps Elasticsearch in step with topic `products`. Lag does not count against `/health`.',
  responses: {
    200: { description: 'Consuming.', schema: indexerHealthSchema, example: indexerHealth },
    503: { description: 'Not consuming (starting, restarting, stopped or crashed).', schema: indexerHealthSchema, example: { ...indexerHealth, status: 'restarting', lastError: 'connect ECONNREFUSED 127.0.0.1:9092' } },
  },
};

/**
 * The products API (`GET /openapi.json`, `GET /docs`): routes/products.ts with the schemas it
 * validates with (domain/product.ts), and `/health/indexer` when the app serves it. The
 * route-coverage test in routes/products.int.test.ts fails when they drift apart.
 */
export function productsApi({ indexer }: { indexer: boolean }): OpenApiDocument {
  return defineApi({
    title: 'products',
    dependency: 'elasticsearch',
    version: '0.1.0',
    description: 'The product catalogue, searched in Elasticsearch. Written only by its indexer from topic `products` (`oms seed` publishes there): there is no write API.',
    schemas: { Product: productSchema, ProductPage: productPageSchema },
    operations: [
      pagedListOperation({
        path: '/products',
        tag: 'products',
        summary: 'Search products',
        description: 'Full-text search on the description when `text` is given (best match first), else every product by SKU. `offset + limit` may not exceed 10000.',
        query: productSearchSchema,
        page: productPageSchema,
        item: product,
        invalid: ['offset', 'offset + limit must not exceed 10000'],
      }),
      getByKeyOperation({
        path: '/products/:sku',
        tag: 'products',
        summary: 'Get a product by SKU',
        params: skuParamSchema,
        found: 'The product.',
        schema: productSchema,
        example: product,
        invalid: ['sku', 'Too big: expected string to have <=128 characters'],
        notFound: notFound('No product has this SKU.', 'product', 'NOPE', 'an unknown SKU'),
      }),
      ...(indexer ? [indexerOperation] : []),
    ],
  });
}
