import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import axios from 'axios';
import type { Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { DependencyState } from './dependencies.js';
import { DependencyUnavailableError } from './errors.js';
import { createBaseApp, finishApp } from './http.js';
import { createLogger } from './logger.js';

const logger = createLogger('http-test', 'silent');
let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function start(app: Express): Promise<string> {
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const get = (url: string) => axios.get(url, { validateStatus: () => true, proxy: false });

/** An app whose `mariadb` check passes when `up` is set, with routes that fail in known ways. */
function appWith(dependencies: DependencyState | undefined, probe: { up: boolean }) {
  const app = createBaseApp({
    logger,
    dependencies,
    health: [
      {
        name: 'mariadb',
        check: async () => {
          if (!probe.up) throw new Error('connect ECONNREFUSED');
        },
      },
    ],
  });
  app.get('/boom', () => {
    throw new Error('ER_NO_SUCH_TABLE');
  });
  app.get('/search-down', () => {
    throw new DependencyUnavailableError('elasticsearch', 'cluster is red', 10);
  });
  app.get('/products-down', () => {
    throw new DependencyUnavailableError('products', 'GET /products answered 502');
  });
  // What a driver rejects with when its server refused the connection (node's system error).
  app.get('/refused', () => {
    throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:3306'), { code: 'ECONNREFUSED', errno: -111, syscall: 'connect' });
  });
  return finishApp(app, logger);
}

describe('GET /health while starting', () => {
  it('when a dependency is still awaited, then 503 starting names it with its attempts and last error', async () => {
    const dependencies = new DependencyState(['mariadb']);
    dependencies.failedAttempt('mariadb', new Error('connect ECONNREFUSED 127.0.0.1:3306'));
    const url = await start(appWith(dependencies, { up: false }));
    const res = await get(`${url}/health`);
    expect(res.status).toBe(503);
    expect(res.data).toEqual({
      status: 'starting',
      waitingFor: ['mariadb'],
      checks: { mariadb: { ok: false, waiting: true, attempts: 1, error: 'connect ECONNREFUSED 127.0.0.1:3306' } },
    });
  });

  it('when the awaited dependency is not a health check, then it is listed beside the checks that run', async () => {
    const dependencies = new DependencyState(['kafka']);
    const url = await start(appWith(dependencies, { up: true }));
    const res = await get(`${url}/health`);
    expect(res.status).toBe(503);
    expect(res.data).toEqual({
      status: 'starting',
      waitingFor: ['kafka'],
      checks: { kafka: { ok: false, waiting: true, attempts: 0, error: 'not reached yet' }, mariadb: { ok: true } },
    });
  });

  it('when every dependency is ready, then /health is the plain 200 or 503 of its checks', async () => {
    const dependencies = new DependencyState(['mariadb']);
    const probe = { up: true };
    const url = await start(appWith(dependencies, probe));
    dependencies.markReady('mariadb');
    expect((await get(`${url}/health`)).data).toEqual({ status: 'ok', checks: { mariadb: { ok: true } } });
    probe.up = false;
    const down = await get(`${url}/health`);
    expect(down.status).toBe(503);
    expect(down.data).toEqual({ status: 'unavailable', checks: { mariadb: { ok: false, error: 'connect ECONNREFUSED' } } });
  });
});

describe('error middleware and dependencies', () => {
  it('when a request fails while a dependency is awaited, then 503 with Retry-After names it instead of a 500', async () => {
    const url = await start(appWith(new DependencyState(['mariadb']), { up: false }));
    const res = await get(`${url}/boom`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.data).toEqual({ error: 'dependency_unavailable', message: 'the service is waiting for mariadb', details: { waitingFor: ['mariadb'] } });
  });

  it('when a request fails unexpectedly and every dependency is ready, then it is a 500 that leaks nothing', async () => {
    const url = await start(appWith(new DependencyState(), { up: true }));
    const res = await get(`${url}/boom`);
    expect(res.status).toBe(500);
    expect(res.data).toEqual({ error: 'internal', message: 'internal server error', details: null });
  });

  it('when a route throws DependencyUnavailableError, then 503 names the dependency with its Retry-After', async () => {
    const url = await start(appWith(undefined, { up: true }));
    const res = await get(`${url}/search-down`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('10');
    expect(res.data).toEqual({
      error: 'dependency_unavailable',
      message: 'the elasticsearch service is unavailable: cluster is red',
      details: { dependency: 'elasticsearch' },
    });
  });

  it('when a DependencyUnavailableError carries no Retry-After, then the 503 still says 5 s', async () => {
    const url = await start(appWith(undefined, { up: true }));
    const res = await get(`${url}/products-down`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.data).toMatchObject({ error: 'dependency_unavailable', details: { dependency: 'products' } });
  });

  it('when a route fails with a refused connection after start-up, then it is a 503 naming the main dependency, without the address', async () => {
    const url = await start(appWith(new DependencyState(), { up: true }));
    const res = await get(`${url}/refused`);
    expect(res.status).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.data).toEqual({ error: 'dependency_unavailable', message: 'the mariadb service is unavailable: ECONNREFUSED', details: { dependency: 'mariadb' } });
  });
});
