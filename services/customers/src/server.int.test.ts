import { builtEntry, dropMysqlDatabase, getHealth, mysqlVariables, startServiceProcess, startWithLateDependency, type LateDependencyRun } from '@oms/service-kit/testing';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';

// The built entry point (dist/server.js from `npx tsc -b`): the start-up under test is the real one.
const SERVER = builtEntry(new URL('../dist/server.js', import.meta.url));
const DATABASE = 'customers_startup_test';
const infra = testInfra().mysql;
let run: LateDependencyRun | undefined;

/** customers' environment with MariaDB at `port`. */
const env = (port: number, startTimeoutMs: number) => ({ ...mysqlVariables(infra, port, DATABASE), START_TIMEOUT_MS: String(startTimeoutMs), LOG_LEVEL: 'info' });

beforeAll(() => dropMysqlDatabase(infra, DATABASE));

afterAll(async () => {
  await run?.stop();
  await dropMysqlDatabase(infra, DATABASE);
});

describe('customers start-up', () => {
  it('when MariaDB is down at start, then /health is 503 naming it until MariaDB comes up, then the service is ready by itself', async () => {
    let early: { status: number; data: unknown } | undefined;
    run = await startWithLateDependency({
      entry: SERVER,
      dependency: infra,
      env: (port) => env(port, 120_000),
      // Meanwhile a request is a 503 naming what is missing, not a 500.
      whileDown: async (service) => void (early = await axios.get(`${service.url}/customers`, { validateStatus: () => true, proxy: false })),
    });
    expect(run.whileDown.body).toMatchObject({
      status: 'starting',
      waitingFor: ['mariadb'],
      checks: { mariadb: { ok: false, waiting: true, error: expect.stringMatching(/ECONNREFUSED/) } },
    });
    expect(early).toMatchObject({ status: 503, data: { error: 'dependency_unavailable', details: { waitingFor: ['mariadb'] } } });
    expect(run.ready.body).toEqual({ status: 'ok', checks: { mariadb: { ok: true } } });
    expect(run.service.output()).toMatch(/"msg":"waiting for mariadb \(MariaDB at 127\.0\.0\.1:\d+ \(database customers_startup_test\)\): [^"]*ECONNREFUSED/);
    expect((await axios.get(`${run.service.url}/customers`, { proxy: false })).data).toMatchObject({ items: [], total: 0 });

    run.service.child.kill('SIGTERM');
    expect(await run.service.exited()).toBe(0);
  }, 90_000);

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
