import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { fetchJson, itRidesThroughADatabaseOutage } from '../../../test/ride-through.js';

describe('orders while MariaDB restarts', () => {
  itRidesThroughADatabaseOutage({
    entry: new URL('../dist/server.js', import.meta.url),
    dependency: 'mariadb',
    server: testInfra().mysql,
    name: 'orders_outage_test',
    // Reading a customer's orders needs MariaDB only; nothing listens for the called services.
    env: { CUSTOMERS_URL: 'http://127.0.0.1:1', PRODUCTS_URL: 'http://127.0.0.1:1', INVENTORY_URL: 'http://127.0.0.1:1' },
    request: (url) => fetchJson(`${url}/orders?customerId=${randomUUID()}`),
  });
});
