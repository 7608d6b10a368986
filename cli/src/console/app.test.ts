/**
 * The console app over a fake API (passed in, as server.ts passes the real one): every error
 * an operation can throw becomes the documented JSON answer, live streams report problems
 * as events, and the page's files are served.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '@oms/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckFailedError, ExternalError, NotFoundError, UsageError } from '../errors.js';
import type { Overview } from '../ops/overview.js';
import type { TraceResult } from '../ops/trace.js';
import type { ConsoleApi } from './api.js';
import { createConsoleApp } from './app.js';

const webRoot = mkdtempSync(join(tmpdir(), 'oms-console-web-'));
mkdirSync(join(webRoot, 'static'));
mkdirSync(join(webRoot, 'dist'));
writeFileSync(join(webRoot, 'static', 'index.html'), '<!doctype html><title>OMS console</title>');
writeFileSync(join(webRoot, 'dist', 'main.js'), 'export {};');

const overview = { runtime: 'local', runtimeReason: 'asked for with --runtime', at: new Date(0).toISOString(), components: [], connectors: null, lag: null, progress: null, healthy: false, links: [] } as Overview;
const trace = (complete: boolean): TraceResult => ({ orderId: '3f2b8c1e-5d7a-4c0e-9a41-1b2c3d4e5f60', complete, hops: [], totalMs: null, checkedAt: new Date(0).toISOString() });
const unused = () => Promise.reject(new Error('not used by this test'));

/** What each fake operation does; a test sets the ones it needs. */
const behave: Partial<ConsoleApi> = {};
const api: ConsoleApi = {
  overview: () => (behave.overview ?? unused)(),
  topics: () => (behave.topics ?? unused)(),
  records: (o, s) => (behave.records ?? unused)(o, s),
  follow: (o) => (behave.follow ?? unused)(o),
  connectors: () => (behave.connectors ?? unused)(),
  restartConnector: (n, f) => (behave.restartConnector ?? unused)(n, f),
  groups: () => (behave.groups ?? unused)(),
  trace: (id, s) => (behave.trace ?? unused)(id, s),
  watchTrace: (id, o) => (behave.watchTrace ?? unused)(id, o),
  placeDemoOrder: () => (behave.placeDemoOrder ?? unused)(),
  traceDemoOrder: (o) => (behave.traceDemoOrder ?? unused)(o),
};

let server: Server;
let base: string;

beforeAll(async () => {
  const app = createConsoleApp({ api, logger: createLogger('console-test', 'silent'), webRoot, overviewIntervalMs: 50 });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(webRoot, { recursive: true, force: true });
});

async function json(path: string, method = 'GET'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${base}${path}`, { method });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Reads server-sent events until `until` says enough (or the stream ends). */
async function events(path: string, until: (seen: Array<{ event: string; data: unknown }>) => boolean, method = 'GET'): Promise<Array<{ event: string; data: unknown }>> {
  const controller = new AbortController();
  const res = await fetch(`${base}${path}`, { method, signal: controller.signal });
  expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const seen: Array<{ event: string; data: unknown }> = [];
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = res.body!.getReader();
  while (!until(seen)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) seen.push({ event, data: JSON.parse(data) as unknown });
    }
  }
  controller.abort();
  return seen;
}

describe('errors as JSON', () => {
  it('when an operation says a thing does not exist, then the answer is a 404 with its message, hint and lines', async () => {
    behave.trace = () => Promise.reject(new NotFoundError('order x was not found at any hop', { hint: 'check the id', details: ['MariaDB: no row'] }));
    const { status, body } = await json('/api/trace/x');
    expect(status).toBe(404);
    expect(body).toEqual({ error: 'not_found', message: 'order x was not found at any hop', details: { hint: 'check the id', lines: ['MariaDB: no row'] } });
  });

  it('when the request is a mistake the operation catches, then it is a 400', async () => {
    behave.records = () => Promise.reject(new UsageError('offset 99 is out of range for topic order', { details: ['partition 0: 0–9'] }));
    const { status, body } = await json('/api/topics/order/records?from=99');
    expect(status).toBe(400);
    expect(body).toMatchObject({ error: 'bad_request', message: 'offset 99 is out of range for topic order', details: { lines: ['partition 0: 0–9'] } });
  });

  it('when the query is malformed, then it is a 400 naming every bad parameter, before any operation runs', async () => {
    behave.records = () => Promise.reject(new Error('must not run'));
    const { status, body } = await json('/api/topics/order/records?limit=abc&from=soon&partition=-1');
    expect(status).toBe(400);
    expect((body.details as Array<{ path: string }>).map((d) => d.path).sort()).toEqual(['from', 'limit', 'partition']);
    expect((await json('/api/topics/a%20b/records')).status).toBe(400);
  });

  it('when a part of the stack does not answer, then it is a 502; when a check fails, a 503', async () => {
    behave.groups = () => Promise.reject(new ExternalError('cannot reach Kafka at 127.0.0.1:9092', { hint: 'start the stack' }));
    expect(await json('/api/groups')).toMatchObject({ status: 502, body: { error: 'unavailable', message: 'cannot reach Kafka at 127.0.0.1:9092' } });
    behave.placeDemoOrder = () => Promise.reject(new CheckFailedError('the catalogue is empty'));
    expect(await json('/api/demo-order', 'POST')).toMatchObject({ status: 503, body: { error: 'check_failed' } });
  });

  it('when an operation fails in a way nobody foresaw, then the answer is a 500 that shows no stack trace', async () => {
    behave.connectors = () => Promise.reject(new TypeError("Cannot read properties of undefined (reading 'x')"));
    const res = await fetch(`${base}/api/connectors`);
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toEqual({ error: 'internal', message: 'internal server error', details: null });
    expect(text).not.toMatch(/at .+\.(ts|js):\d+/);
  });

  it('when an API route does not exist, then it is a JSON 404, not the page', async () => {
    expect(await json('/api/nope')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});

describe('live streams', () => {
  it('when a page listens to the overview, then overviews arrive as events, and a failure arrives as a readable problem', async () => {
    behave.overview = async () => overview;
    const ok = await events('/api/overview/events', (s) => s.length >= 2);
    expect(ok.map((e) => e.event)).toEqual(['overview', 'overview']);
    behave.overview = () => Promise.reject(new ExternalError('cannot reach the Docker daemon'));
    const bad = await events('/api/overview/events', (s) => s.some((e) => e.event === 'problem'));
    expect(bad.find((e) => e.event === 'problem')!.data).toMatchObject({ error: 'unavailable', message: 'cannot reach the Docker daemon' });
  });

  it('when the topic to tail does not exist, then the answer is a plain 404 before any stream opens', async () => {
    behave.follow = () => Promise.reject(new NotFoundError('no topic named "x"'));
    expect(await json('/api/topics/x/tail')).toMatchObject({ status: 404, body: { message: 'no topic named "x"' } });
  });

  it('when a demo order is traced, then the order, each update and the end arrive in order', async () => {
    behave.traceDemoOrder = async (o) => {
      o.onPlaced({ orderId: trace(true).orderId, customerId: 'c', email: 'e@x', createdAt: null });
      o.onUpdate(trace(false));
      o.onUpdate(trace(true));
      return trace(true);
    };
    const seen = await events('/api/demo-order/trace', (s) => s.some((e) => e.event === 'end'), 'POST');
    expect(seen.map((e) => e.event)).toEqual(['order', 'trace', 'trace', 'end']);
    expect(seen.at(-1)!.data).toEqual({ complete: true });
  });

  it('when a watched trace fails, then the stream ends with the problem, not a stack', async () => {
    behave.watchTrace = () => Promise.reject(new UsageError('"x" is not an order id'));
    const seen = await events('/api/trace/x/events', (s) => s.some((e) => e.event === 'problem'));
    expect(seen.at(-1)).toEqual({ event: 'problem', data: { error: 'bad_request', message: '"x" is not an order id', details: { hint: null, lines: [] } } });
  });
});

describe('the page', () => {
  it('when a browser asks for /, then it gets the page, and its scripts under /app', async () => {
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<title>OMS console</title>');
    const script = await fetch(`${base}/app/main.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toMatch(/javascript/);
  });
});
