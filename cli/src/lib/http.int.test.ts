/**
 * The CLI's HTTP client against the real Kafka Connect and Elasticsearch of the test
 * infrastructure, and against a port nothing listens on.
 */
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testInfra } from '../../../test/infra.js';
import { ExternalError } from '../errors.js';
import { freePort } from '../test-support/net.js';
import { httpClient } from './http.js';

const infra = testInfra();


describe('httpClient', () => {
  it('when a service answers JSON of the expected shape, then json() returns it parsed', async () => {
    const connect = httpClient({ service: 'Kafka Connect', baseUrl: infra.connectUrl });
    const plugins = await connect.json('GET', '/connector-plugins', z.array(z.object({ class: z.string() })));
    expect(plugins.length).toBeGreaterThan(0);
  });

  it('when the answer has another shape, then json() fails naming the service and the request', async () => {
    const connect = httpClient({ service: 'Kafka Connect', baseUrl: infra.connectUrl });
    const err = await connect.json('GET', '/connector-plugins', z.object({ plugins: z.array(z.string()) })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalError);
    expect((err as ExternalError).message).toBe('Kafka Connect (GET /connector-plugins) answered with an unexpected shape');
  });

  it('when a service answers an error status, then send() returns it and json() fails quoting the status', async () => {
    const es = httpClient({ service: 'Elasticsearch', baseUrl: infra.elasticsearchUrl });
    const res = await es.send('GET', '/oms-http-test-no-such-index/_doc/1');
    expect(res.status).toBe(404);
    const err = await es.json('GET', '/oms-http-test-no-such-index/_doc/1', z.unknown()).catch((e: unknown) => e);
    expect((err as ExternalError).message).toMatch(/^Elasticsearch: GET \/oms-http-test-no-such-index\/_doc\/1 answered 404/);
  });

  it('when nothing listens, then the error names the service and where, with a hint to check the stack', async () => {
    const port = await freePort();
    const err = await httpClient({ service: 'the orders service', baseUrl: `http://127.0.0.1:${port}` }).send('GET', '/health').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalError);
    expect((err as ExternalError).message).toBe(`cannot reach the orders service at http://127.0.0.1:${port} (GET /health): ECONNREFUSED`);
    expect((err as ExternalError).hint).toContain('oms status');
  });

  it('when a request carries headers (a conditional PUT), then the server receives them with the body', async () => {
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ method: req.method, ifNoneMatch: req.headers['if-none-match'] ?? null, body: JSON.parse(body) as unknown }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as net.AddressInfo;
      const res = await httpClient({ service: 'an echo server', baseUrl: `http://127.0.0.1:${port}` }).send('PUT', '/x', { body: { onHand: 3 }, headers: { 'if-none-match': '*' } });
      expect(res).toMatchObject({ status: 200, body: { method: 'PUT', ifNoneMatch: '*', body: { onHand: 3 } } });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
