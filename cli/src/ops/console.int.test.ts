/**
 * The console as a supervised process: started from the built server (cli/dist), on a free
 * port and a state dir of this test's own, reading the test infrastructure through the
 * configuration `oms up` hands it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testOpsContext } from '../../../test/ops-context.js';
import { freePort } from '../test-support/net.js';
import { PrereqError } from '../errors.js';
import { checkConsolePort, consoleEnv, consoleStatus, startConsole, stopConsole } from './console.js';

const stateDir = mkdtempSync(join(tmpdir(), 'oms-console-'));
let port: number;
let ctx: ReturnType<typeof testOpsContext>;

beforeAll(async () => {
  port = await freePort();
  ctx = testOpsContext({ stateDir, env: { OMS_PORT_CONSOLE: String(port) } });
});

afterAll(async () => {
  await stopConsole(ctx).catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('the console process', () => {
  it('when up starts it, then it answers on its port, a second start leaves it alone, and status shows it ready', async () => {
    expect(await startConsole(ctx, 'local')).toMatch(/^started \(pid \d+\), ready in/);
    expect(await startConsole(ctx, 'local')).toMatch(/^already running \(pid \d+\)$/);
    const status = await consoleStatus(ctx);
    expect(status).toMatchObject({ id: 'console', kind: 'console', state: 'ready', url: `http://127.0.0.1:${port}` });
    expect(status.pid).toBeGreaterThan(1);
  }, 60_000);

  it('when it runs, then it reads the stack it was given: the topics of the test Kafka', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/api/topics`);
    expect(res.status).toBe(200);
    const { topics } = (await res.json()) as { topics: Array<{ topic: string }> };
    expect(topics.length).toBeGreaterThan(0);
  });

  it('when another process holds its port, then up refuses before starting anything, naming the way out', async () => {
    const held = await freePort();
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(held, '127.0.0.1', r));
    try {
      const err = await checkConsolePort(testOpsContext({ stateDir, env: { OMS_PORT_CONSOLE: String(held) } })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PrereqError);
      expect((err as PrereqError).message).toContain(`port ${held} (the console) is in use by`);
      expect((err as PrereqError).hint).toContain('--no-console');
    } finally {
      await new Promise((r) => server.close(r));
    }
    // Its own running console is not in its way.
    await expect(checkConsolePort(ctx)).resolves.toBeUndefined();
  });

  it('when down stops it, then it is stopped and status says so', async () => {
    expect(await stopConsole(ctx)).toMatch(/^stopped \(pid \d+\)/);
    expect(await consoleStatus(ctx)).toMatchObject({ state: 'stopped', pid: null, startedAt: null });
    expect(await stopConsole(ctx)).toBe('not running');
  }, 30_000);
});

describe('consoleEnv', () => {
  it('when the console is started, then it gets every setting of this invocation and the runtime already chosen', () => {
    const env = consoleEnv(testOpsContext({ stateDir, env: { OMS_PORT_CONSOLE: '14080', DOCKER_HOST: 'unix:///x.sock', SECRET: 'no' } }), 'docker');
    expect(env).toMatchObject({ OMS_PORT_CONSOLE: '14080', OMS_RUNTIME: 'docker', OMS_STATE_DIR: stateDir, DOCKER_HOST: 'unix:///x.sock' });
    expect(env.SECRET).toBeUndefined();
  });
});
