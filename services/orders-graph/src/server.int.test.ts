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
    thenReady: async (run) => {
      // The database it waited for was created and migrated: queries answer.
      const res = await axios.post(`${run.service.url}/graphql`, { query: '{ orders { total } }' }, { proxy: false });
      expect(res.data).toEqual({ data: { orders: { total: 0 } } });
    },
  });
});
