import { dropPgDatabase, pgVariables } from '@oms/service-kit/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { fetchJson, itRidesThroughAnOutage } from '../../../test/ride-through.js';

const DATABASE = 'orders_graph_outage_test';
const infra = testInfra().postgres;

describe('orders-graph while PostgreSQL restarts', () => {
  beforeAll(() => dropPgDatabase(infra, DATABASE));
  afterAll(() => dropPgDatabase(infra, DATABASE));
  itRidesThroughAnOutage({
    entry: new URL('../dist/server.js', import.meta.url),
    dependency: 'postgres',
    server: infra,
    env: (port) => ({ ...pgVariables(infra, port, DATABASE), LOG_LEVEL: 'info' }),
    request: (url) => fetchJson(`${url}/graphql`, { method: 'POST', body: { query: '{ orders(limit: 1) { total } }' } }),
    // A GraphQL answer: the error names the dependency in its extensions.
    unavailableBody: { errors: [{ extensions: { code: 'DEPENDENCY_UNAVAILABLE', dependency: 'postgres' } }] },
  });
});
