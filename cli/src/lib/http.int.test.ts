/**
 * The CLI's HTTP client against the real Kafka Connect and Elasticsearch of the test
 * infrastructure, and against a port nothing listens on.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { testInfra } from '../../../test/infra.js';
import { ExternalError } from '../errors.js';
import { httpClient } from './http.js';

const infra = testInfra();

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

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
    const port = await closedPort();
    const err = await httpClient({ service: 'the orders service', baseUrl: `http://127.0.0.1:${port}` }).send('GET', '/health').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalError);
    expect((err as ExternalError).message).toBe(`cannot reach the orders service at http://127.0.0.1:${port} (GET /health): ECONNREFUSED`);
    expect((err as ExternalError).hint).toContain('oms status');
  });
});
