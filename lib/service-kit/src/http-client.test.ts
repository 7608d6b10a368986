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
// '/closing' closes the socket of every second request on a kept-alive connection without
// answering: what a client sees when the server's keep-alive timeout fires as it reuses it.
const requestsPerSocket = new Map<unknown, number>();
let closingRequests = 0;
const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
  connections.add(req.socket);
  if (req.url === '/closing') {
    closingRequests += 1;
    const served = requestsPerSocket.get(req.socket) ?? 0;
    requestsPerSocket.set(req.socket, served + 1);
    if (served % 2 === 1) {
      req.socket.destroy();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ served: served + 1 }));
    return;
  }
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

  it('when a kept-alive socket is closed as an idempotent request reuses it, then the request is sent once more on a fresh socket', async () => {
    const client = createHttpClient({ dependency: 'products', baseUrl });
    closingRequests = 0;
    expect((await client.get('/closing')).data).toEqual({ served: 1 });
    // The second request reuses the socket, which the server closes: answered on a new one.
    expect((await client.get('/closing')).data).toEqual({ served: 1 });
    expect(closingRequests).toBe(3);
  });

  it('when a kept-alive socket is closed as a POST reuses it, then it is not sent again and the dependency is unavailable', async () => {
    const client = createHttpClient({ dependency: 'orders', baseUrl });
    closingRequests = 0;
    expect((await client.post('/closing', {})).status).toBe(200);
    const err = await failure(client.post('/closing', {}));
    expect(err.message).toMatch(/POST .*\/closing failed: ECONNRESET/);
    expect(closingRequests).toBe(2);
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
