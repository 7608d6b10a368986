import { describe } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { fetchJson, itRidesThroughADatabaseOutage } from '../../../test/ride-through.js';

describe('orders-graph while PostgreSQL restarts', () => {
  itRidesThroughADatabaseOutage({
    entry: new URL('../dist/server.js', import.meta.url),
    dependency: 'postgres',
    server: testInfra().postgres,
    name: 'orders_graph_outage_test',
    request: (url) => fetchJson(`${url}/graphql`, { method: 'POST', body: { query: '{ orders(limit: 1) { total } }' } }),
    // A GraphQL answer: the error names the dependency in its extensions.
    unavailableBody: { errors: [{ extensions: { code: 'DEPENDENCY_UNAVAILABLE', dependency: 'postgres' } }] },
  });
});
