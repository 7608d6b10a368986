import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { fetchJson, itRidesThroughADatabaseOutage } from '../../../test/ride-through.js';

const run = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;

describe('shipping while PostgreSQL restarts', () => {
  itRidesThroughADatabaseOutage({
    entry: new URL('../dist/server.js', import.meta.url),
    dependency: 'postgres',
    server: testInfra().postgres,
    name: 'shipping_outage_test',
    env: {
      // A topic and group of this run only, absent: the follower never reads the demo's orders.
      KAFKA_BROKERS: testInfra().kafkaBrokers.join(','),
      ORDERS_GRAPH_TOPIC: `orders-graph-outage-${run}`,
      ORDERS_GROUP_ID: `shipping-outage-${run}`,
    },
    request: (url) => fetchJson(`${url}/shipments?status=requested`),
  });
});
