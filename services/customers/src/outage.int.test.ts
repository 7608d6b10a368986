import { describe } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { fetchJson, itRidesThroughADatabaseOutage } from '../../../test/ride-through.js';

describe('customers while MariaDB restarts', () => {
  itRidesThroughADatabaseOutage({
    entry: new URL('../dist/server.js', import.meta.url),
    dependency: 'mariadb',
    server: testInfra().mysql,
    name: 'customers_outage_test',
    request: (url) => fetchJson(`${url}/customers`),
  });
});
