import { randomUUID } from 'node:crypto';
import { dropMysqlDatabase, mysqlVariables } from '@oms/service-kit/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { fetchJson, itRidesThroughAnOutage } from '../../../test/ride-through.js';

const DATABASE = 'orders_outage_test';
const infra = testInfra().mysql;

describe('orders while MariaDB restarts', () => {
  beforeAll(() => dropMysqlDatabase(infra, DATABASE));
  afterAll(() => dropMysqlDatabase(infra, DATABASE));
  itRidesThroughAnOutage({
    entry: new URL('../dist/server.js', import.meta.url),
    dependency: 'mariadb',
    server: infra,
    // Reading a customer's orders needs MariaDB only; nothing listens for the called services.
    env: (port) => ({ ...mysqlVariables(infra, port, DATABASE), LOG_LEVEL: 'info', CUSTOMERS_URL: 'http://127.0.0.1:1', PRODUCTS_URL: 'http://127.0.0.1:1', INVENTORY_URL: 'http://127.0.0.1:1' }),
    request: (url) => fetchJson(`${url}/orders?customerId=${randomUUID()}`),
  });
});
