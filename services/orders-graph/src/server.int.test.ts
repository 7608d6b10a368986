import { builtEntry, dropPgDatabase, pgVariables, startWithLateDependency, type LateDependencyRun } from '@oms/service-kit/testing';
import axios from 'axios';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';

// The built entry point (dist/server.js from `npx tsc -b`): the start-up under test is the real one.
const SERVER = builtEntry(new URL('../dist/server.js', import.meta.url));
const DATABASE = 'orders_graph_startup_test';
const { postgres } = testInfra();
let run: LateDependencyRun | undefined;

beforeAll(() => dropPgDatabase(postgres, DATABASE));

afterAll(async () => {
  await run?.stop();
  await dropPgDatabase(postgres, DATABASE);
});

describe('orders-graph start-up', () => {
  it('when PostgreSQL is down at start, then /health is 503 naming it until PostgreSQL comes up, then the service is ready by itself', async () => {
    run = await startWithLateDependency({
      entry: SERVER,
      dependency: postgres,
      env: (port) => ({ ...pgVariables(postgres, port, DATABASE), LOG_LEVEL: 'info' }),
    });
    expect(run.whileDown.body).toMatchObject({
      status: 'starting',
      waitingFor: ['postgres'],
      checks: { postgres: { ok: false, waiting: true, error: expect.stringMatching(/ECONNREFUSED/) } },
    });
    expect(run.ready.body).toEqual({ status: 'ok', checks: { postgres: { ok: true } } });
    expect(run.service.output()).toMatch(/"msg":"waiting for postgres \(PostgreSQL at 127\.0\.0\.1:\d+ \(database orders_graph_startup_test\)\)/);
    // The database it waited for was created and migrated: queries answer.
    const res = await axios.post(`${run.service.url}/graphql`, { query: '{ orders { total } }' }, { proxy: false });
    expect(res.data).toEqual({ data: { orders: { total: 0 } } });

    run.service.child.kill('SIGTERM');
    expect(await run.service.exited()).toBe(0);
  }, 90_000);
});
