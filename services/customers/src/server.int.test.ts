import { builtEntry, getHealth, mysqlVariables, startServiceProcess } from '@oms/service-kit/testing';
import axios from 'axios';
import { describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { itWaitsForItsDatabase } from '../../../test/service-startup.js';

// The built entry point (dist/server.js from `npx tsc -b`): the start-up under test is the real one.
const SERVER = builtEntry(new URL('../dist/server.js', import.meta.url));
const DATABASE = 'customers_startup_test';
const infra = testInfra().mysql;

/** customers' environment with MariaDB at `port`. */
const env = (port: number, startTimeoutMs: number) => ({ ...mysqlVariables(infra, port, DATABASE), START_TIMEOUT_MS: String(startTimeoutMs), LOG_LEVEL: 'info' });

describe('customers start-up', () => {
  let early: { status: number; data: unknown } | undefined;
  itWaitsForItsDatabase({
    entry: new URL('../dist/server.js', import.meta.url),
    database: 'mariadb',
    server: infra,
    name: DATABASE,
    env: { START_TIMEOUT_MS: '120000' },
    // Meanwhile a request is a 503 naming what is missing, not a 500.
    whileDown: async (service) => void (early = await axios.get(`${service.url}/customers`, { validateStatus: () => true, proxy: false })),
    thenReady: async (run) => {
      // The start-up gate names what it waits for, a query that reached MariaDB names the dependency: either way 503, naming it.
      expect(early).toMatchObject({ status: 503, data: { error: 'dependency_unavailable' } });
      expect(JSON.stringify((early?.data as { details?: unknown } | undefined)?.details)).toContain('mariadb');
      expect((await axios.get(`${run.service.url}/customers`, { proxy: false })).data).toMatchObject({ items: [], total: 0 });
    },
  });

  it('when MariaDB never comes within START_TIMEOUT_MS, then the service exits 1 saying what it waited for', async () => {
    // Port 1 is privileged and never served here: connecting is refused at once.
    const service = await startServiceProcess(SERVER, env(1, 1_500));
    expect(await service.exited()).toBe(1);
    expect(service.output()).toMatch(
      /"level":60.*"msg":"gave up waiting for mariadb \(MariaDB at 127\.0\.0\.1:1 \(database customers_startup_test\)\) after 1\.5 s \(START_TIMEOUT_MS=1500\): [^"]*ECONNREFUSED/,
    );
    expect(await getHealth(service.url)).toBeUndefined();
  }, 30_000);
});
