/**
 * The start-up test every database-backed service shares: started with its database down, it
 * answers /health 503 naming what it waits for, becomes ready by itself once the database comes
 * up (the real built entry point, the real server behind a forwarder), and exits 0 on SIGTERM.
 * A service adds its own checks through `whileDown` and `thenReady`.
 */
import { builtEntry, dropMysqlDatabase, dropPgDatabase, mysqlVariables, pgVariables, startWithLateDependency, type LateDependencyRun, type ServiceProcess, type TestServer } from '@oms/service-kit/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

const DATABASES = {
  mariadb: { label: 'MariaDB', variables: mysqlVariables, drop: dropMysqlDatabase },
  postgres: { label: 'PostgreSQL', variables: pgVariables, drop: dropPgDatabase },
} as const;

export interface LateDatabaseStart {
  /** The service's built entry, e.g. `new URL('../dist/server.js', import.meta.url)`. */
  entry: URL;
  database: keyof typeof DATABASES;
  server: TestServer;
  /** The service's own database for this test; dropped before and after. */
  name: string;
  /** Variables besides the database's. */
  env?: Record<string, string>;
  /** Runs while the database is still down (e.g. a request that must be a 503). */
  whileDown?: (service: ServiceProcess) => Promise<void>;
  /** More checks once the service is ready, before it is stopped. */
  thenReady?: (run: LateDependencyRun) => Promise<void>;
}

/** Registers the late-database start-up test (one `it`, with its set-up and clean-up). */
export function itWaitsForItsDatabase(options: LateDatabaseStart): void {
  const { label, variables, drop } = DATABASES[options.database];
  const entry = builtEntry(options.entry);
  let run: LateDependencyRun | undefined;
  beforeAll(() => drop(options.server, options.name));
  afterAll(async () => {
    await run?.stop();
    await drop(options.server, options.name);
  });

  it(`when ${label} is down at start, then /health is 503 naming it until ${label} comes up, then the service is ready by itself`, async () => {
    run = await startWithLateDependency({
      entry,
      dependency: options.server,
      env: (port) => ({ ...variables(options.server, port, options.name), LOG_LEVEL: 'info', ...options.env }),
      whileDown: options.whileDown,
    });
    const dependency = options.database;
    expect(run.whileDown.body).toMatchObject({
      status: 'starting',
      waitingFor: [dependency],
      checks: { [dependency]: { ok: false, waiting: true, error: expect.stringMatching(/ECONNREFUSED/) } },
    });
    expect(run.ready.body).toEqual({ status: 'ok', checks: { [dependency]: { ok: true } } });
    expect(run.service.output()).toMatch(new RegExp(`"msg":"waiting for ${dependency} \\(${label} at 127\\.0\\.0\\.1:\\d+ \\(database ${options.name}\\)\\): [^"]*ECONNREFUSED`));
    await options.thenReady?.(run);

    run.service.child.kill('SIGTERM');
    expect(await run.service.exited()).toBe(0);
  }, 90_000);
}
