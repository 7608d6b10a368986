import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Router, type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NotFoundError } from './errors.js';
import { createBaseApp, finishApp } from './http.js';
import { createLogger } from './logger.js';
import { defineApi, serveApiDocs, type ApiDefinition, type OpenApiDocument } from './openapi.js';
import { exampleProblems, ResponseLog, routeCoverage, servedRoutes } from './test-support/openapi-check.js';
import { validate } from './validation.js';

const logger = createLogger('openapi-test', 'silent');
const thingSchema = z.object({ id: z.uuid(), name: z.string().min(1) });
const pathSchema = z.object({ id: z.uuid() });
const ID = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';

function definition(overrides: Partial<ApiDefinition> = {}): ApiDefinition {
  return {
    title: 'things',
    version: '1.0.0',
    description: 'A test API.',
    dependency: 'mariadb',
    schemas: { Thing: thingSchema },
    operations: [
      {
        method: 'put',
        path: '/things/:id',
        tag: 'things',
        summary: 'Replace a thing',
        request: { params: pathSchema, query: z.object({ offset: z.coerce.number().int().min(0).default(0) }), body: { schema: thingSchema, description: 'The thing.', example: { id: ID, name: 'a' } } },
        responses: { 200: { description: 'The thing.', schema: thingSchema, example: { id: ID, name: 'a' } }, 400: { description: 'Invalid.', schema: z.object({ error: z.string() }), example: { error: 'bad_request' } } },
      },
      {
        method: 'get',
        path: '/things/:id',
        tag: 'things',
        summary: 'Get a thing',
        request: { params: pathSchema },
        responses: { 200: { description: 'The thing.', schema: thingSchema, example: { id: ID, name: 'a' } }, 400: { description: 'Invalid.', schema: z.object({ error: z.string() }), example: { error: 'bad_request' } } },
      },
    ],
    ...overrides,
  };
}

/** A service like ours: routes in a router, the docs, the shared 404 and error handler. */
function thingsApp(document: OpenApiDocument, { name = 'a' } = {}): Express {
  const app = createBaseApp({ logger, health: [] });
  const router = Router();
  router.get('/things/:id', (req, res) => {
    const { id } = validate(pathSchema, req.params, 'path');
    if (id !== ID) throw new NotFoundError('thing', id);
    res.json({ id, name });
  });
  router.put('/things/:id', (req, res) => {
    res.json(validate(thingSchema, req.body, 'thing'));
  });
  app.use(router);
  serveApiDocs(app, document);
  return finishApp(app, logger);
}

let server: Server;
let baseUrl: string;
const document = defineApi(definition());

beforeAll(async () => {
  server = await new Promise<Server>((resolve) => {
    const s = thingsApp(document).listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (server) await new Promise((resolve) => server.close(resolve));
});

describe('defineApi', () => {
  it('when an operation takes a body, then 400 malformed JSON, 413 and 503 are added beside its own answers', () => {
    const put = document.paths?.['/things/{id}']?.put;
    expect(Object.keys(put?.responses ?? {}).sort()).toEqual(['200', '400', '413', '503']);
    expect(JSON.stringify(put?.responses?.['400'])).toContain('malformed_json');
    expect(Object.keys(document.paths?.['/things/{id}']?.get?.responses ?? {}).sort()).toEqual(['200', '400', '503']);
  });

  it('when a service is documented, then /health, /openapi.json and /docs are in it and named schemas are components', () => {
    expect(Object.keys(document.paths ?? {}).sort()).toEqual(['/docs', '/health', '/openapi.json', '/things/{id}']);
    expect(Object.keys(document.components?.schemas ?? {})).toEqual(expect.arrayContaining(['Thing', 'Error', 'Health']));
    expect(JSON.stringify(document.paths?.['/things/{id}']?.get?.responses?.['200'])).toContain('#/components/schemas/Thing');
  });

  it('when a query number accepts 0, then its parameter is not nullable (a query string never carries null)', () => {
    const offset = document.paths?.['/things/{id}']?.put?.parameters?.find((p) => 'name' in p && p.name === 'offset');
    expect(offset).toMatchObject({ in: 'query', required: false, schema: { type: 'integer', minimum: 0 } });
  });

  it('when an operation validates input but documents no 400, then building the document fails naming it', () => {
    const operation = { method: 'get' as const, path: '/x/:id', tag: 't', summary: 's', request: { params: pathSchema }, responses: { 200: { description: 'ok' } } };
    expect(() => defineApi(definition({ operations: [operation] }))).toThrow('GET /x/:id validates its input but documents no 400');
  });

  it('when the document is checked, then every example validates, and a wrong example is reported', () => {
    expect(exampleProblems(document)).toEqual([]);
    const wrong = defineApi(
      definition({
        operations: [{ method: 'get', path: '/y', tag: 't', summary: 's', responses: { 200: { description: 'ok', schema: thingSchema, example: { id: 'not-a-uuid', name: '' } } } }],
      }),
    );
    expect(exampleProblems(wrong)).toEqual([expect.stringContaining('GET /y 200 example example: /id must match format "uuid"'), expect.stringContaining('/name must NOT have fewer than 1 characters')]);
  });
});

describe('GET /openapi.json and GET /docs', () => {
  it('when /openapi.json is asked for, then the OpenAPI 3.1 document is served as JSON', async () => {
    const res = await fetch(`${baseUrl}/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it('when /docs is opened, then its page loads Swagger UI only from this service, with the validator badge off', async () => {
    const page = await (await fetch(`${baseUrl}/docs`)).text();
    const sources = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources).toEqual(['/docs/assets/swagger-ui.css', '/docs/assets/favicon-32x32.png', '/docs/assets/swagger-ui-bundle.js', '/docs/assets/init.js']);
    for (const source of sources) expect((await fetch(`${baseUrl}${source!}`)).status, source).toBe(200);
    const init = await (await fetch(`${baseUrl}/docs/assets/init.js`)).text();
    expect(init).toContain("url: '/openapi.json'");
    expect(init).toContain('validatorUrl: null');
  });

  it("when a file of swagger-ui-dist the page does not use is asked for, then it is the shared 404 (the package's demo page points at petstore)", async () => {
    const res = await fetch(`${baseUrl}/docs/assets/index.html`);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: 'not_found' });
  });
});

describe('the checks', () => {
  it('when routers are nested under a path, then the walk finds their routes with the full path, and HEAD is not an operation', () => {
    const app = createBaseApp({ logger, health: [] });
    const inner = Router();
    inner.get('/:id', (_req, res) => res.end());
    inner.delete('/:id', (_req, res) => res.end());
    app.use('/nested', inner);
    expect(servedRoutes(app).sort()).toEqual(['DELETE /nested/{id}', 'GET /health', 'GET /nested/{id}']);
  });

  it('when a route is served but not documented, or documented but not served, then coverage names both', () => {
    const app = thingsApp(defineApi(definition({ operations: [] })));
    expect(routeCoverage(app, document)).toEqual({ undocumented: [], unserved: [] });
    const partial = defineApi(definition({ operations: [definition().operations[1]!] }));
    expect(routeCoverage(app, partial)).toEqual({ undocumented: ['PUT /things/{id}'], unserved: [] });
  });

  it('when real answers match the document, then there is no problem; when a body or a status does not, then each is named', async () => {
    const log = new ResponseLog();
    const ask = async (base: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      log.add(method, `${base}${path}`, res, await res.text());
    };
    await ask(baseUrl, 'GET', `/things/${ID}`);
    await ask(baseUrl, 'PUT', `/things/${ID}`, { id: ID, name: 'b' });
    await ask(baseUrl, 'GET', '/things/42');
    await ask(baseUrl, 'GET', '/nowhere');
    expect(log.problems(document)).toEqual([]);

    // The same service answering a name the schema refuses, and a 404 the document does not list.
    const liar = await new Promise<Server>((resolve) => {
      const s = thingsApp(document, { name: '' }).listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const wrong = new ResponseLog();
      const url = `http://127.0.0.1:${(liar.address() as AddressInfo).port}`;
      for (const path of [`/things/${ID}`, '/things/3f2b8c1e-9a4d-4e6f-8b7a-000000000000']) {
        const res = await fetch(`${url}${path}`);
        wrong.add('GET', `${url}${path}`, res, await res.text());
      }
      expect(wrong.problems(document)).toEqual([
        `GET /things/${ID} → 200: /name must NOT have fewer than 1 characters {"limit":1}`,
        'GET /things/3f2b8c1e-9a4d-4e6f-8b7a-000000000000 → 404: status 404 is not documented for GET /things/{id} (documented: 200, 400, 503)',
      ]);
    } finally {
      await new Promise((resolve) => liar.close(resolve));
    }
  });
});
