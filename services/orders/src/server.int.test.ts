import { builtEntry, dropMysqlDatabase, mysqlVariables, startWithLateDependency, type LateDependencyRun } from '@oms/service-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';

// The built entry point (dist/server.js from `npx tsc -b`): the start-up under test is the real one.
const SERVER = builtEntry(new URL('../dist/server.js', import.meta.url));
const DATABASE = 'orders_startup_test';
const infra = testInfra().mysql;
let run: LateDependencyRun | undefined;

beforeAll(() => dropMysqlDatabase(infra, DATABASE));

afterAll(async () => {
  await run?.stop();
  await dropMysqlDatabase(infra, DATABASE);
});

describe('orders start-up', () => {
  it('when MariaDB is down at start, then /health is 503 naming it until MariaDB comes up, then the service is ready by itself', async () => {
    run = await startWithLateDependency({
      entry: SERVER,
      dependency: infra,
      env: (port) => ({
        ...mysqlVariables(infra, port, DATABASE),
        // Nothing listens there: orders does not wait for customers and products at start.
        CUSTOMERS_URL: 'http://127.0.0.1:1',
        PRODUCTS_URL: 'http://127.0.0.1:1',
        LOG_LEVEL: 'info',
      }),
    });
    expect(run.whileDown.body).toMatchObject({
      status: 'starting',
      waitingFor: ['mariadb'],
      checks: { mariadb: { ok: false, waiting: true, error: expect.stringMatching(/ECONNREFUSED/) } },
    });
    expect(run.ready.body).toEqual({ status: 'ok', checks: { mariadb: { ok: true } } });
    expect(run.service.output()).toMatch(/"msg":"waiting for mariadb \(MariaDB at 127\.0\.0\.1:\d+ \(database orders_startup_test\)\)/);

    run.service.child.kill('SIGTERM');
    expect(await run.service.exited()).toBe(0);
  }, 90_000);
});
