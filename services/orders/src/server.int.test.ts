import { describe } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { itWaitsForItsDatabase } from '../../../test/service-startup.js';

describe('orders start-up', () => {
  itWaitsForItsDatabase({
    entry: new URL('../dist/server.js', import.meta.url),
    database: 'mariadb',
    server: testInfra().mysql,
    name: 'orders_startup_test',
    // Nothing listens there: orders does not wait for customers and products at start.
    env: { CUSTOMERS_URL: 'http://127.0.0.1:1', PRODUCTS_URL: 'http://127.0.0.1:1' },
  });
});
