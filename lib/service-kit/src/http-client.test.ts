import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { DependencyUnavailableError } from './errors.js';
import { createHttpClient, parseAnswer } from './http-client.js';
import { freePort } from './testing.js';

// A real HTTP server with one route per behaviour the client must handle.
const connections = new Set<unknown>();
const routes: Record<string, (res: ServerResponse) => void> = {
  '/ok': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: 'a-1', extra: true })),
  '/missing': (res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not_found"}'),
  '/broken': (res) => res.writeHead(500).end('oops'),
  '/slow': (res) => setTimeout(() => res.writeHead(200).end('{}'), 500),
  '/html': (res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>not json</html>'),
};
const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
  connections.add(req.socket);
  (routes[req.url ?? ''] ?? ((r: ServerResponse) => r.writeHead(404).end()))(res);
});
let baseUrl: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

async function failure(promise: Promise<unknown>): Promise<DependencyUnavailableError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DependencyUnavailableError);
  return err as DependencyUnavailableError;
}

describe('createHttpClient', () => {
  it('when the dependency answers 200 or 404, then the answer resolves for the caller to read', async () => {
    const client = createHttpClient({ dependency: 'customers', baseUrl });
    expect((await client.get('/ok')).data).toEqual({ id: 'a-1', extra: true });
    expect((await client.get('/missing')).status).toBe(404);
  });

  it('when requests follow one another, then they share one kept-alive connection', async () => {
    const client = createHttpClient({ dependency: 'customers', baseUrl });
    connections.clear();
    for (let i = 0; i < 3; i++) await client.get('/ok');
    expect(connections.size).toBe(1);
  });

  it('when the dependency answers 5xx, then it is a 503 error naming it, the request and the status', async () => {
    const err = await failure(createHttpClient({ dependency: 'products', baseUrl }).get('/broken'));
    expect(err.status).toBe(503);
    expect(err.details).toEqual({ dependency: 'products' });
    expect(err.message).toBe(`the products service is unavailable: GET ${baseUrl}/broken answered 500`);
  });

  it('when the dependency is too slow, then it is unavailable after the timeout', async () => {
    const err = await failure(createHttpClient({ dependency: 'products', baseUrl, timeoutMs: 100 }).get('/slow'));
    expect(err.message).toBe(`the products service is unavailable: GET ${baseUrl}/slow failed: no answer within 100 ms`);
  });

  it('when nothing listens, then it is unavailable with the socket error', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const err = await failure(createHttpClient({ dependency: 'customers', baseUrl: dead }).get('/customers/x'));
    expect(err.message).toBe(`the customers service is unavailable: GET ${dead}/customers/x failed: ECONNREFUSED`);
  });
});

describe('parseAnswer', () => {
  const schema = z.object({ id: z.string() });

  it('when the body matches the schema, then the parsed body is returned', async () => {
    const res = await createHttpClient({ dependency: 'customers', baseUrl }).get('/ok');
    expect(parseAnswer(schema, res, 'customers')).toEqual({ id: 'a-1' });
  });

  it('when the body has another shape, then the dependency counts as unavailable', async () => {
    const res = await createHttpClient({ dependency: 'customers', baseUrl }).get('/html');
    expect(() => parseAnswer(schema, res, 'customers')).toThrow(`the customers service is unavailable: GET ${baseUrl}/html returned an unexpected body`);
  });
});
