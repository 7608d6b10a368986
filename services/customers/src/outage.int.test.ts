import { dropMysqlDatabase, mysqlVariables } from '@oms/service-kit/testing';
import { afterAll, beforeAll, describe } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { fetchJson, itRidesThroughAnOutage } from '../../../test/ride-through.js';

const DATABASE = 'customers_outage_test';
const infra = testInfra().mysql;

describe('customers while MariaDB restarts', () => {
  beforeAll(() => dropMysqlDatabase(infra, DATABASE));
  afterAll(() => dropMysqlDatabase(infra, DATABASE));
  itRidesThroughAnOutage({
    entry: new URL('../dist/server.js', import.meta.url),
    dependency: 'mariadb',
    server: infra,
    env: (port) => ({ ...mysqlVariables(infra, port, DATABASE), LOG_LEVEL: 'info' }),
    request: (url) => fetchJson(`${url}/customers`),
  });
});
