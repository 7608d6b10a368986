/**
 * `oms up` converges from broken states, on the suite's stack (the ports the CLI's config
 * names): a killed processor is reported as down, not caught up, a smoke run against it
 * writes a failing JUnit report naming the stalled hop, and the next `oms up` brings it back;
 * a sink task forced into FAILED by stopping PostgreSQL is restarted by the next `oms up`; a
 * service rebuilt while it runs is restarted by the next `oms up`, which says why.
 * Every test leaves the stack converged (its last step is the `oms up` under test).
 */
import { mkdtempSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { pollUntil } from '../../cli/src/lib/retry.js';
import { createCustomer, json, ORDERS, someProducts, waitForGraph } from '../e2e/helpers.js';
import { connectorState, okEnvelope, oms, parseJson, REPO_ROOT, schemas } from './helpers.js';

const reports = mkdtempSync(join(tmpdir(), 'oms-cli-converge-'));
// These tests break the stack and watch `oms up` mend it: the keeper would mend it first. Each
// test's last step, a whole `oms up`, starts the keeper again (`up --only x` leaves it off).
beforeEach(async () => {
  const res = await oms(['down', '--only', 'keeper']);
  expect(res.exitCode, res.stderr).toBe(0);
});
afterAll(() => rmSync(reports, { recursive: true, force: true }));

/** Waits until `check` returns something, with the CLI's one polling helper, or fails naming `what`. */
function until<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  return pollUntil(check, { timeoutMs, minDelayMs: 1000, onTimeout: () => new Error(`timed out after ${timeoutMs / 1000} s waiting until ${what}`) });
}

const statusData = okEnvelope('status', schemas.status).shape.data;

async function status() {
  const res = await oms(['status', '--json']);
  return statusData.parse((parseJson(res.stdout) as { data: unknown }).data);
}

/** A JUnit report as CI systems read it: attributes by name, repeated elements as arrays. */
function readJUnit(file: string) {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(readFileSync(file, 'utf8')) as {
    testsuites: {
      tests: string;
      failures: string;
      time: string;
      testsuite: Array<{
        name: string;
        tests: string;
        failures: string;
        skipped: string;
        time: string;
        testcase: Array<{ name: string; classname: string; time: string; failure?: { message: string; type: string; '#text'?: string }; skipped?: { message: string } }>;
      }>;
    };
  };
  return doc.testsuites;
}

describe('oms up converges', () => {
  it('when orders-stream is killed, then status says its lag is unknown with no member, a smoke fails in its JUnit report at the stalled hop, and the next oms up brings it back so a smoke passes', async () => {
    const pid = (await status()).components.find((c) => c.id === 'orders-stream')?.pid;
    expect(pid, 'orders-stream runs before the test').toBeTypeOf('number');
    process.kill(pid!, 'SIGKILL');

    // The killed member leaves the group when its session times out.
    const down = await until('the orders-stream group has no member', 90_000, async () => {
      const s = await status();
      return s.lag?.members === 0 ? s : undefined;
    });
    expect(down.lag!.total).toBeNull();
    expect(down.healthy).toBe(false);
    const table = await oms(['status']);
    expect(table.exitCode).toBe(1);
    expect(table.stdout.split('\n')[0]).toMatch(/^runtime: local \(/);
    expect(table.stdout).toMatch(/orders-stream\s+lag\s+unknown — no member in the group\s+-\s+last committed order\[0\]=\S+ order\[1\]=\S+/);
    expect(table.stdout).not.toMatch(/orders-stream\s+lag\s+caught up/);

    const failFile = join(reports, 'failing', 'smoke.xml');
    const failed = await oms(['smoke', '--timeout', '10', '--junit', failFile], { env: { GITHUB_ACTIONS: 'true' } });
    expect(failed.exitCode, failed.stderr).toBe(1);
    const bad = readJUnit(failFile);
    expect(bad).toMatchObject({ tests: '4', failures: '1' });
    expect(bad.testsuite[0]).toMatchObject({ name: 'oms smoke', tests: '4', failures: '1', skipped: '1' });
    const [rest, order, graph, visible] = bad.testsuite[0]!.testcase;
    expect([rest!.name, order!.name, graph!.name, visible!.name]).toEqual(['REST commit', 'seen on order', 'seen on orders-graph', 'visible in GraphQL']);
    expect(rest!.failure ?? order!.failure).toBeUndefined();
    expect(graph!.failure!.message).toMatch(/stalled at "seen on orders-graph" — orders-stream/);
    expect(graph!.failure!['#text']).toContain('orders-stream consumer lag: unknown — no member in the group');
    expect(Number(graph!.time)).toBeGreaterThan(5);
    expect(visible!.skipped!.message).toBe('not reached: the order stopped at "seen on orders-graph"');
    expect(failed.stdout).toContain('::error title=oms smoke%3A seen on orders-graph::');

    const up = await oms(['up', '--no-seed'], { timeoutMs: 300_000 });
    expect(up.exitCode, up.stderr).toBe(0);
    expect((await status()).components.find((c) => c.id === 'orders-stream')?.state).toBe('ready');

    const passFile = join(reports, 'passing', 'smoke.xml');
    const passed = await oms(['smoke', '--timeout', '60', '--junit', passFile, '--json'], { env: { GITHUB_ACTIONS: 'true' } });
    expect(passed.exitCode, passed.stderr).toBe(0);
    const data = okEnvelope('smoke', z.object({ totalMs: z.number(), junitFile: z.string(), hops: z.array(z.object({ hop: z.string(), deltaMs: z.number() })) })).parse(parseJson(passed.stdout)).data;
    expect(data.junitFile).toBe(passFile);
    const good = readJUnit(passFile);
    expect(good).toMatchObject({ tests: '4', failures: '0' });
    expect(good.testsuite[0]).toMatchObject({ tests: '4', failures: '0', skipped: '0' });
    const cases = good.testsuite[0]!.testcase;
    expect(cases.map((c) => c.name)).toEqual(data.hops.map((h) => h.hop));
    expect(cases.map((c) => Number(c.time))).toEqual(data.hops.map((h) => h.deltaMs / 1000));
    expect(cases.every((c) => c.failure === undefined && c.skipped === undefined)).toBe(true);
    expect(Number(good.testsuite[0]!.time)).toBeCloseTo(data.hops.reduce((s, h) => s + h.deltaMs, 0) / 1000, 3);
    // With --json the annotations go to stderr, so stdout stays one document.
    expect(passed.stderr).toMatch(/^::notice title=oms smoke::4 checks passed in \d+ ms/m);
  });

  it('when PostgreSQL stops until the oms-graph sink task fails and is started again, then the next oms up restarts the task, says which and why, and the order placed meanwhile reaches GraphQL', async () => {
    const stopped = await oms(['down', '--only', 'postgres'], { timeoutMs: 180_000 });
    expect(stopped.exitCode, stopped.stderr).toBe(0);

    // An order placed while the read model's database is away.
    const customer = await createCustomer('converge');
    const [product] = await someProducts(1);
    const placed = await json<{ id: string }>('POST', `${ORDERS}/orders`, { customerId: customer.id, items: [{ sku: product!.sku, quantity: 1, addressId: customer.addressId }] });
    expect(placed.status).toBe(201);

    const connectors = okEnvelope('connectors status', schemas.connectorsStatus).shape.data;
    const failedSink = await until('the oms-graph sink task is FAILED', 240_000, async () => {
      const res = await oms(['connectors', 'status', 'oms-graph', '--json']);
      const sink = connectors.parse((parseJson(res.stdout) as { data: unknown }).data).connectors[0]!;
      return sink.tasks.some((t) => t.state === 'FAILED') ? sink : undefined;
    });
    expect(connectorState.parse(failedSink).healthy).toBe(false);

    // PostgreSQL back on its own does not heal the task: Connect leaves a FAILED task failed.
    const pg = await oms(['up', '--only', 'postgres', '--no-seed'], { timeoutMs: 180_000 });
    expect(pg.exitCode, pg.stderr).toBe(0);
    const stillFailed = await oms(['connectors', 'status', 'oms-graph']);
    expect(stillFailed.exitCode).toBe(1);
    expect(stillFailed.stdout).toMatch(/oms-graph\s+RUNNING\s+tasks: 0=FAILED/);

    const up = await oms(['up', '--no-seed', '--json'], { timeoutMs: 300_000 });
    expect(up.exitCode, up.stderr).toBe(0);
    const result = okEnvelope('up', schemas.up).parse(parseJson(up.stdout)).data;
    expect(result.connectorsRestarted).toEqual([{ name: 'oms-graph', parts: ['task 0'], why: expect.stringMatching(/^org\.apache\.kafka\.connect\.errors\.ConnectException: .*\(caused by .*PSQLException/) }]);
    expect(result.steps.find((s) => s.id === 'connectors')?.outcome).toMatch(/^restarted oms-graph task 0 \(had failed: .+\); all RUNNING$/);
    expect(up.stderr).toMatch(/connectors: restarted oms-graph task 0 \(had failed: /);

    const after = await oms(['connectors', 'status']);
    expect(after.exitCode, after.stdout).toBe(0);
    const seen = await waitForGraph(customer.email, 1, 60_000);
    expect(seen.map((o) => o.id)).toEqual([placed.body.id]);
  });

  it('when a service is rebuilt while it runs, then the next oms up restarts it and says why, and the one after leaves it running', async () => {
    // A rebuild as tsc leaves it: a newer file in the service's dist.
    const now = new Date();
    utimesSync(join(REPO_ROOT, 'services/customers/dist/app.js'), now, now);
    const outcome = async (args: string[]) => {
      const res = await oms([...args, '--no-seed', '--json'], { timeoutMs: 300_000 });
      expect(res.exitCode, res.stderr).toBe(0);
      return okEnvelope('up', schemas.up).parse(parseJson(res.stdout)).data.steps.find((s) => s.id === 'customers')?.outcome;
    };
    expect(await outcome(['up', '--only', 'customers'])).toMatch(/^restarted \(pid \d+\), ready in \S+: its build changed since it started \(services\/customers\/dist\/app\.js\)$/);
    expect(await outcome(['up'])).toMatch(/^already running \(pid \d+\)$/);
  });
});
