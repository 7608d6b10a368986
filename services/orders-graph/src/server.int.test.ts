import { randomUUID } from 'node:crypto';
import axios from 'axios';
import { describe, expect } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { itWaitsForItsDatabase } from '../../../test/service-startup.js';

describe('orders-graph start-up', () => {
  itWaitsForItsDatabase({
    entry: new URL('../dist/server.js', import.meta.url),
    database: 'postgres',
    server: testInfra().postgres,
    name: 'orders_graph_startup_test',
    // The shipment follower's topic and group, unique and absent: it never reads the demo's
    // shipment-events nor joins the demo's group (it keeps retrying quietly).
    env: { KAFKA_BROKERS: testInfra().kafkaBrokers.join(','), SHIPMENT_EVENTS_TOPIC: `shipment-events-test-absent-${randomUUID()}`, SHIPMENTS_GROUP_ID: `orders-graph-test-${randomUUID()}` },
    thenReady: async (run) => {
      // The database it waited for was created and migrated: queries answer.
      const res = await axios.post(`${run.service.url}/graphql`, { query: '{ orders { total } }' }, { proxy: false });
      expect(res.data).toEqual({ data: { orders: { total: 0 } } });
    },
  });
});
