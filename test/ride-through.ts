/**
 * The outage test every service shares: the real built service runs against its real
 * dependency behind a forwarder; the forwarder is cut mid-test (every connection dropped, new
 * ones refused: what a restart looks like from the client), and then restored. While it is
 * cut, a request that needs the dependency is a 503 with Retry-After naming it, within a
 * bound, and `/health` is 503 naming it; once it is back, the next requests succeed without
 * the service being restarted. A second test makes the dependency hang instead (connections stay
 * open, nothing answers: a stopped or stuck server), which only the clients' own timeouts notice.
 */
import {
  builtEntry,
  dropMysqlDatabase,
  dropPgDatabase,
  eventually,
  getHealth,
  mysqlVariables,
  pgVariables,
  startServiceProcess,
  tcpForwarder,
  waitForHealth,
  type ServiceProcess,
  type TcpForwarder,
  type TestServer,
} from '@oms/service-kit/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

export interface OutageOptions {
  /** The service's built entry, e.g. `new URL('../dist/server.js', import.meta.url)`. */
  entry: URL;
  /** The dependency's name in 503s and `/health` (`mariadb`, `postgres`, `elasticsearch`). */
  dependency: string;
  /** Where the real server listens; the service is pointed at a forwarder to it. */
  server: { host: string; port: number };
  /** The service's environment, given the forwarder's port. */
  env: (port: number) => Record<string, string>;
  /** A request that needs the dependency; resolves to the answer, whatever its status. */
  request: (baseUrl: string) => Promise<Answer>;
  /** Whether an answer while the dependency is up counts as served; default any status below 300. */
  served?: (answer: Answer) => boolean;
  /**
   * What a 503's body holds; default service-kit's `{error: "dependency_unavailable",
   * details: {dependency}}`.
   */
  unavailableBody?: unknown;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** A 503 must come within this when the dependency is gone: the drivers' connect timeouts are 5 s. */
const ANSWER_BOUND_MS = 12_000;
/**
 * ... and within this when it hangs: nothing fails fast, so the drivers' own bounds on a
 * statement or request (10–15 s) are all that stands between a client and a hang.
 */
const STALL_ANSWER_BOUND_MS = 20_000;
/** The service must serve again within this once the dependency is back. */
const RECOVERY_BOUND_MS = 30_000;

/** fetch with a JSON body in and out, for {@link OutageOptions.request}. */
export async function fetchJson(url: string, init: { method?: string; body?: unknown } = {}): Promise<Answer> {
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: the assertion on the body shows the text.
  }
  return { status: res.status, headers: res.headers, body };
}

/** Registers the outage test (one `it`, with its clean-up). */
export function itRidesThroughAnOutage(options: OutageOptions): void {
  const entry = builtEntry(options.entry);
  let service: ServiceProcess | undefined;
  let forwarder: TcpForwarder | undefined;
  afterAll(async () => {
    service?.kill();
    await forwarder?.stop();
  });

  it(`when ${options.dependency} goes down while the service runs, then requests are 503 with Retry-After naming it, and once it is back they succeed without a restart`, async () => {
    forwarder = await tcpForwarder(options.server);
    await forwarder.start();
    service = await startServiceProcess(entry, options.env(forwarder.port));
    await waitForHealth(service, (answer) => answer.status === 200, 60_000);
    const url = service.url;
    const served = options.served ?? ((answer: Answer) => answer.status < 300);
    const before = await options.request(url);
    expect(served(before), JSON.stringify(before.body)).toBe(true);

    await forwarder.stop();
    const t0 = Date.now();
    const down = await options.request(url);
    const tookMs = Date.now() - t0;
    expect(down.body).toMatchObject(options.unavailableBody ?? { error: 'dependency_unavailable', details: { dependency: options.dependency } });
    expect(down.status).toBe(503);
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(tookMs).toBeLessThan(ANSWER_BOUND_MS);
    // Once more: a second request after the pool noticed is a 503 too, not a hang or a 500.
    expect((await options.request(url)).status).toBe(503);
    const health = await getHealth(url);
    expect(health).toMatchObject({ status: 503, body: { status: 'unavailable', checks: { [options.dependency]: { ok: false } } } });

    await forwarder.start();
    const t1 = Date.now();
    const back = await eventually(() => options.request(url), served, { timeoutMs: RECOVERY_BOUND_MS, intervalMs: 250, what: `${options.dependency} to serve again` });
    expect(served(back)).toBe(true);
    process.stderr.write(`[outage] ${options.dependency}: 503 after ${tookMs} ms; served again ${Date.now() - t1} ms after it came back\n`);
    expect((await getHealth(url))?.status).toBe(200);
    // The same process served throughout: it did not exit and get restarted.
    expect(service.child.exitCode).toBeNull();
    service.child.kill('SIGTERM');
    expect(await service.exited()).toBe(0);
  }, 120_000);

  it(`when ${options.dependency} hangs while the service runs (connections open, nothing answers), then requests are 503 with Retry-After naming it within a bound, and once it answers they succeed without a restart`, async () => {
    const relay = await tcpForwarder(options.server);
    await relay.start();
    const hung = await startServiceProcess(entry, options.env(relay.port));
    try {
      await waitForHealth(hung, (answer) => answer.status === 200, 60_000);
      const served = options.served ?? ((answer: Answer) => answer.status < 300);
      const before = await options.request(hung.url);
      expect(served(before), JSON.stringify(before.body)).toBe(true);

      relay.stall();
      const t0 = Date.now();
      // Two at once: the second must not queue behind the first's stuck connection.
      const [first, second] = await Promise.all([options.request(hung.url), options.request(hung.url)]);
      const tookMs = Date.now() - t0;
      for (const down of [first, second]) {
        expect(down.body).toMatchObject(options.unavailableBody ?? { error: 'dependency_unavailable', details: { dependency: options.dependency } });
        expect(down.status).toBe(503);
        expect(Number(down.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(tookMs).toBeLessThan(STALL_ANSWER_BOUND_MS);

      relay.resume();
      const t1 = Date.now();
      const back = await eventually(() => options.request(hung.url), served, { timeoutMs: RECOVERY_BOUND_MS, intervalMs: 250, what: `${options.dependency} to serve again` });
      expect(served(back)).toBe(true);
      process.stderr.write(`[outage] ${options.dependency} hung: 503 after ${tookMs} ms; served again ${Date.now() - t1} ms after it answered\n`);
      expect(hung.child.exitCode).toBeNull();
    } finally {
      hung.kill();
      await relay.stop();
    }
  }, 120_000);
}

const DATABASES = {
  mariadb: { variables: mysqlVariables, drop: dropMysqlDatabase },
  postgres: { variables: pgVariables, drop: dropPgDatabase },
} as const;

export interface DatabaseOutageOptions extends Omit<OutageOptions, 'dependency' | 'server' | 'env'> {
  dependency: keyof typeof DATABASES;
  server: TestServer;
  /** The service's own database for this test; dropped before and after. */
  name: string;
  /** Variables besides the database's. */
  env?: Record<string, string>;
}

/** {@link itRidesThroughAnOutage} for a service whose dependency is its own database. */
export function itRidesThroughADatabaseOutage(options: DatabaseOutageOptions): void {
  const { variables, drop } = DATABASES[options.dependency];
  beforeAll(() => drop(options.server, options.name));
  afterAll(() => drop(options.server, options.name));
  itRidesThroughAnOutage({ ...options, env: (port) => ({ ...variables(options.server, port, options.name), LOG_LEVEL: 'info', ...options.env }) });
}
