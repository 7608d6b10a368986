import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { envLogLevel, envPort, envStartTimeout, loadEnv } from './config.js';
import { createBaseApp, finishApp } from './http.js';
import { runService, type ServiceContext, type ServiceDefinition } from './server.js';
import { freePort, getHealth } from './testing.js';

const schema = z.object({ PORT: envPort(0), HOST: z.string().default('127.0.0.1'), LOG_LEVEL: envLogLevel(), START_TIMEOUT_MS: envStartTimeout() });
type Config = z.infer<typeof schema>;

/** A service with one dependency, "db", that answers once `db.up` is set; logs go to `lines`. */
function fakeService(env: Record<string, string>, db: { up: boolean; closed?: boolean }, onCreate?: (ctx: ServiceContext<Config>) => void) {
  const lines: Array<Record<string, unknown>> = [];
  const definition: ServiceDefinition<Config> = {
    name: 'fake',
    loadConfig: () => loadEnv(schema, env),
    create: (ctx) => {
      onCreate?.(ctx);
      const app = createBaseApp({ logger: ctx.logger, dependencies: ctx.dependencies, health: [{ name: 'db', check: async () => db.up || Promise.reject(new Error('down')) }] });
      return {
        app: finishApp(app, ctx.logger),
        waitFor: [
          {
            dependency: 'db',
            target: 'the fake db',
            prepare: async () => {
              if (!db.up) throw new Error('connect ECONNREFUSED');
            },
          },
        ],
        close: async () => {
          db.closed = true;
        },
      };
    },
  };
  const logDestination = { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) };
  return { definition, lines, logDestination };
}

async function until<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`not met; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('runService', () => {
  it('when the dependency comes up after the service listens, then /health goes from 503 starting to 200, and a stop resolves 0', async () => {
    const port = await freePort();
    const db = { up: false, closed: false };
    const { definition, lines, logDestination } = fakeService({ PORT: String(port), START_TIMEOUT_MS: '20000' }, db);
    const stop = new AbortController();
    const running = runService(definition, { stop: stop.signal, signals: [], logDestination });
    const url = `http://127.0.0.1:${port}`;

    const starting = await until(() => getHealth(url), (h) => h !== undefined && (h.body.checks?.db as { attempts?: number } | undefined)?.attempts !== 0);
    expect(starting?.status).toBe(503);
    expect(starting?.body).toMatchObject({ status: 'starting', waitingFor: ['db'], checks: { db: { ok: false, waiting: true, error: 'connect ECONNREFUSED' } } });

    db.up = true;
    const ready = await until(() => getHealth(url), (h) => h?.status === 200);
    expect(ready?.body).toEqual({ status: 'ok', checks: { db: { ok: true } } });

    stop.abort();
    expect(await running).toBe(0);
    expect(db.closed).toBe(true);
    expect(lines.some((l) => l.msg === 'waiting for db (the fake db): connect ECONNREFUSED')).toBe(true);
    expect(lines.map((l) => l.msg)).toEqual(expect.arrayContaining(['listening', 'db ready', 'ready', 'stopped']));
  });

  it('when the dependency never comes, then it resolves 1 after the start timeout with one clear fatal line', async () => {
    const db = { up: false, closed: false };
    const { definition, lines, logDestination } = fakeService({ PORT: String(await freePort()), START_TIMEOUT_MS: '300' }, db);
    expect(await runService(definition, { signals: [], logDestination })).toBe(1);
    expect(db.closed).toBe(true);
    const fatal = lines.filter((l) => l.level === 60);
    expect(fatal.map((l) => l.msg)).toEqual(['gave up waiting for db (the fake db) after 0.3 s (START_TIMEOUT_MS=300): connect ECONNREFUSED']);
  });

  it('when the service reports a fatal failure while running, then it shuts down and resolves 1', async () => {
    let fail: ServiceContext<Config>['fail'] | undefined;
    const port = await freePort();
    const { definition, lines, logDestination } = fakeService({ PORT: String(port) }, { up: true }, (ctx) => (fail = ctx.fail));
    const running = runService(definition, { signals: [], logDestination });
    await until(() => getHealth(`http://127.0.0.1:${port}`), (h) => h?.status === 200);
    fail?.(new Error('consumer crashed'), 'the indexer stopped for good');
    expect(await running).toBe(1);
    expect(lines.find((l) => l.level === 60)).toMatchObject({ msg: 'the indexer stopped for good', error: 'consumer crashed' });
  });

  it('when the port is taken, then it resolves 1 saying which port', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const { definition, lines, logDestination } = fakeService({ PORT: String(port) }, { up: true });
      expect(await runService(definition, { signals: [], logDestination })).toBe(1);
      expect(lines.find((l) => l.level === 60)?.msg).toBe(`port ${port} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('when the environment is invalid, then it resolves 1 listing every problem and creates nothing', async () => {
    let created = false;
    const { definition, lines, logDestination } = fakeService({ PORT: 'x', LOG_LEVEL: 'loud', START_TIMEOUT_MS: '0' }, { up: true }, () => (created = true));
    expect(await runService(definition, { signals: [], logDestination })).toBe(1);
    expect(created).toBe(false);
    expect(lines[0]?.problems).toEqual([expect.stringMatching(/^PORT/), expect.stringMatching(/^LOG_LEVEL/), expect.stringMatching(/^START_TIMEOUT_MS/)]);
  });
});
