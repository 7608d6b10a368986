import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import { afterAll, describe } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { fetchJson, itRidesThroughAnOutage } from '../../../test/ride-through.js';

const infra = testInfra();
const run = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
const INDEX = `products_outage_test_${run}`;
const STOCK_INDEX = `products_outage_test_stock_${run}`;
const elasticsearch = new URL(infra.elasticsearchUrl);

describe('products while Elasticsearch restarts', () => {
  afterAll(async () => {
    const es = new Client({ node: infra.elasticsearchUrl });
    await es.indices.delete({ index: [INDEX, STOCK_INDEX], ignore_unavailable: true });
    await es.close();
  });
  itRidesThroughAnOutage({
    entry: new URL('../dist/server.js', import.meta.url),
    dependency: 'elasticsearch',
    server: { host: elasticsearch.hostname, port: Number(elasticsearch.port) },
    // The API alone: the indexers' recovery is the batch consumer's (tested with it).
    env: (port) => ({ ES_URL: `http://127.0.0.1:${port}`, ES_INDEX: INDEX, ES_STOCK_INDEX: STOCK_INDEX, INDEXER_ENABLED: 'false', LOG_LEVEL: 'info' }),
    request: (url) => fetchJson(`${url}/products?limit=1`),
  });
});
