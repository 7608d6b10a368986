/**
 * OpenAPI 3.1 for every REST service, generated from the same zod schemas that validate its
 * requests (@asteasolutions/zod-to-openapi), and the two routes that serve it:
 * `GET /openapi.json` and `GET /docs` (Swagger UI from swagger-ui-dist, served by the service
 * itself: nothing is fetched from outside the service). A service lists its operations with
 * {@link defineApi}; what every operation has in common (the error body, 400 for invalid input,
 * 400/413 for a bad body, 503 while a dependency is down, `/health`, the docs routes) is added
 * here, so each service writes only what is its own.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { extendZodWithOpenApi, OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import express, { type Express } from 'express';
import { z, type ZodObject, type ZodType } from 'zod';

// Registering named schemas (components) goes through `.openapi()`, which this adds to zod.
extendZodWithOpenApi(z);

/** The body of every error answer (service-kit's `errorHandler` writes it). */
export const errorBodySchema = z.object({
  error: z.string().describe('A short machine-friendly code: bad_request, malformed_json, not_found, conflict, precondition_failed, payload_too_large, unprocessable, dependency_unavailable.'),
  message: z.string().describe('What went wrong, for people.'),
  details: z.unknown().describe('What helps the caller fix the request (e.g. every invalid field), or null.'),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** The body of `GET /health` (see `createBaseApp`). */
export const healthBodySchema = z.object({
  status: z.enum(['ok', 'unavailable', 'starting']),
  waitingFor: z.array(z.string()).optional().describe('While starting: the dependencies not reached yet.'),
  checks: z.record(
    z.string(),
    z.object({ ok: z.boolean(), error: z.string().optional(), waiting: z.literal(true).optional(), attempts: z.number().int().optional() }),
  ),
});

export type HttpMethod = 'get' | 'post' | 'put' | 'delete' | 'patch';

/** An answer with a JSON body: its schema and one example, or several named ones. */
export interface ApiResponse {
  description: string;
  /** Absent: no body (a 204). */
  schema?: ZodType;
  example?: unknown;
  examples?: Record<string, { summary: string; value: unknown }>;
  /** Response headers worth knowing (e.g. `Location`), name → description. */
  headers?: Record<string, string>;
}

/** One operation of a service, as its router serves it. */
export interface ApiOperation {
  method: HttpMethod;
  /** The express path, e.g. `/customers/:id` (written `{id}` in the document). */
  path: string;
  summary: string;
  description?: string;
  tag: string;
  request?: {
    params?: ZodObject;
    query?: ZodObject;
    headers?: ZodObject;
    body?: { schema: ZodType; description: string; example: unknown };
  };
  /** The answers this operation itself gives; the shared ones are added (see the module comment). */
  responses: Partial<Record<number, ApiResponse>>;
}

/** What a service says about itself. */
export interface ApiDefinition {
  title: string;
  version: string;
  description: string;
  /** The dependency the service waits for first (`mariadb`, `redis`, …): the 503 and health examples name it. */
  dependency: string;
  /** Named schemas shown as components (`Customer`, …); an operation using one refers to it. */
  schemas?: Record<string, ZodType>;
  operations: ApiOperation[];
}

/** An OpenAPI 3.1 document (plain JSON). */
export type OpenApiDocument = ReturnType<OpenApiGeneratorV31['generateDocument']>;

/** An error answer with named examples, each a real `{error, message, details}` body. */
export function errorResponse(description: string, examples: Record<string, { summary: string; value: ErrorBody }>): ApiResponse {
  return { description, schema: errorBodySchema, examples };
}

/** The 400 `validate()` gives: `invalid <what>` with one entry per field problem. */
export function invalidInput(what: string, field: string, problem: string): ApiResponse {
  return errorResponse(`The ${what} is invalid: every problem is listed in details.`, {
    invalid: { summary: `an invalid ${what}`, value: { error: 'bad_request', message: `invalid ${what}`, details: [{ path: field, message: problem }] } },
  });
}

/** The 404 of a lookup: `<thing> <key> not found`, with `details: {<thing>: key}`. */
export function notFound(description: string, thing: string, key: string, summary = `an unknown ${thing}`): ApiResponse {
  return errorResponse(description, { notFound: { summary, value: { error: 'not_found', message: `${thing} ${key} not found`, details: { [thing]: key } } } });
}

/** What a read operation (a paged list or one resource by key) says beside its answers. */
interface ReadOperation {
  path: string;
  tag: string;
  summary: string;
  description?: string;
}

function readHead(o: ReadOperation): Pick<ApiOperation, 'method' | 'path' | 'tag' | 'summary' | 'description'> {
  return { method: 'get', path: o.path, tag: o.tag, summary: o.summary, ...(o.description ? { description: o.description } : {}) };
}

/** A GET of a paged list: 200 with one page (`items`, `total`, `limit`, `offset`), 400 for a bad query naming `field`. */
export function pagedListOperation(o: ReadOperation & { query: ZodObject; page: ZodType; item: unknown; invalid: [field: string, problem: string] }): ApiOperation {
  return {
    ...readHead(o),
    request: { query: o.query },
    responses: {
      200: { description: 'One page and the total count.', schema: o.page, example: { items: [o.item], total: 1, limit: 20, offset: 0 } },
      400: invalidInput('query', ...o.invalid),
    },
  };
}

/** A GET of one resource by its path key: 200 with it, 400 for a malformed key, and the 404 given. */
export function getByKeyOperation(
  o: ReadOperation & { params: ZodObject; found: string; schema: ZodType; example: unknown; invalid: [field: string, problem: string]; notFound: ApiResponse },
): ApiOperation {
  return {
    ...readHead(o),
    request: { params: o.params },
    responses: { 200: { description: o.found, schema: o.schema, example: o.example }, 400: invalidInput('path', ...o.invalid), 404: o.notFound },
  };
}

/**
 * `GET <path>` of a Kafka consumer's report (service-kit's BatchConsumer health, `schema`): 200
 * while consuming, 503 otherwise; the examples show three partitions without lag.
 */
export function consumerHealthOperation(o: { path: string; summary: string; description: string; schema: ZodType; topic: string; groupId: string; totals: Record<string, number> }): ApiOperation {
  const consuming = {
    status: 'consuming',
    topic: o.topic,
    groupId: o.groupId,
    partitions: [0, 1, 2],
    lag: 0,
    lagByPartition: { '0': 0, '1': 0, '2': 0 },
    retrying: null,
    totals: o.totals,
    lastError: null,
  };
  return {
    method: 'get',
    path: o.path,
    tag: 'service',
    summary: o.summary,
    description: o.description,
    responses: {
      200: { description: 'Consuming.', schema: o.schema, example: consuming },
      503: { description: 'Not consuming (starting, restarting, stopped or crashed).', schema: o.schema, example: { ...consuming, status: 'restarting', lastError: 'connect ECONNREFUSED 127.0.0.1:9092' } },
    },
  };
}

const MALFORMED_JSON = { summary: 'a body that is not JSON', value: { error: 'malformed_json', message: 'request body is not valid JSON', details: null } };

const TOO_LARGE = errorResponse('The body is over the 1 MB limit.', {
  tooLarge: { summary: 'a body over 1 MB', value: { error: 'payload_too_large', message: 'request body is too large', details: { limitBytes: 1_048_576 } } },
});

function unavailable(dependency: string): ApiResponse {
  return {
    ...errorResponse('A dependency (a database, a broker, another service) is down, restarting or still awaited; retry after `Retry-After` seconds.', {
      starting: {
        summary: 'the service is waiting for a dependency',
        value: { error: 'dependency_unavailable', message: `the service is waiting for ${dependency}`, details: { waitingFor: [dependency] } },
      },
      down: {
        summary: 'a dependency went down while the service runs',
        value: { error: 'dependency_unavailable', message: `the ${dependency} service is unavailable: ECONNREFUSED`, details: { dependency } },
      },
    }),
    headers: { 'Retry-After': 'Seconds to wait before retrying.' },
  };
}

/** Routes every service serves besides its own: health and these docs. */
function commonOperations(dependency: string): ApiOperation[] {
  const checks = { ok: true as const };
  return [
    {
      method: 'get',
      path: '/health',
      tag: 'service',
      summary: 'Is the service ready?',
      description: '200 only when every dependency answers; 503 while starting (naming what it waits for) or when one fails.',
      responses: {
        200: { description: 'Ready.', schema: healthBodySchema, example: { status: 'ok', checks: { [dependency]: checks } } },
        503: {
          description: 'Starting, or a dependency fails.',
          schema: healthBodySchema,
          examples: {
            starting: { summary: 'waiting for a dependency', value: { status: 'starting', waitingFor: [dependency], checks: { [dependency]: { ok: false, waiting: true, attempts: 3, error: 'connect ECONNREFUSED' } } } },
            unavailable: { summary: 'a dependency fails', value: { status: 'unavailable', checks: { [dependency]: { ok: false, error: 'connect ECONNREFUSED' } } } },
          },
        },
      },
    },
    {
      method: 'get',
      path: '/openapi.json',
      tag: 'service',
      summary: 'This document (OpenAPI 3.1).',
      responses: { 200: { description: 'The OpenAPI document.', schema: z.object({ openapi: z.string() }).loose(), example: { openapi: '3.1.0' } } },
    },
    {
      method: 'get',
      path: '/docs',
      tag: 'service',
      summary: 'This document in Swagger UI (a page for browsers).',
      responses: { 200: { description: 'An HTML page.' } },
    },
  ];
}

/** `/customers/:id` → `/customers/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * Builds the service's OpenAPI 3.1 document from its operations. The shared answers are added
 * where they apply: 400 (invalid input) to an operation that validates anything, 400
 * (malformed JSON) and 413 to one with a body, 503 to every operation of the service's own.
 */
export function defineApi(definition: ApiDefinition): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  const named = new Map<ZodType, ZodType>();
  const schemas = { ...definition.schemas, Error: errorBodySchema, Health: healthBodySchema };
  for (const [name, schema] of Object.entries(schemas)) named.set(schema, registry.register(name, schema));
  const ref = (schema: ZodType): ZodType => named.get(schema) ?? schema;

  for (const operation of definition.operations) registry.registerPath(routeConfig(withSharedResponses(operation, definition.dependency), ref));
  for (const operation of commonOperations(definition.dependency)) registry.registerPath(routeConfig(operation, ref));

  const document = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: definition.title, version: definition.version, description: definition.description },
    tags: [...new Set(definition.operations.map((o) => o.tag)), 'service'].map((name) => ({ name })),
  });
  return withoutNullParameters(document);
}

function withSharedResponses(operation: ApiOperation, dependency: string): ApiOperation {
  const responses = { ...operation.responses };
  const request = operation.request;
  if (request?.body) {
    const own = responses[400];
    responses[400] = own ? { ...own, examples: { ...own.examples, malformed: MALFORMED_JSON } } : errorResponse('The body is not JSON.', { malformed: MALFORMED_JSON });
    responses[413] ??= TOO_LARGE;
  }
  if (request && !responses[400]) throw new Error(`${operation.method.toUpperCase()} ${operation.path} validates its input but documents no 400`);
  responses[503] ??= unavailable(dependency);
  return { ...operation, responses };
}

function routeConfig(operation: ApiOperation, ref: (schema: ZodType) => ZodType): RouteConfig {
  const { request } = operation;
  const responses: Record<string, ResponseConfig> = {};
  for (const [status, response] of Object.entries(operation.responses)) {
    if (!response) continue;
    responses[status] = {
      description: response.description,
      ...(response.headers ? { headers: Object.fromEntries(Object.entries(response.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) } : {}),
      ...(response.schema
        ? {
            content: {
              'application/json': {
                schema: ref(response.schema),
                ...(response.example === undefined ? {} : { example: response.example }),
                ...(response.examples ? { examples: response.examples } : {}),
              },
            },
          }
        : operation.path === '/docs'
          ? { content: { 'text/html': { schema: { type: 'string' } } } }
          : {}),
    };
  }
  return {
    method: operation.method,
    path: openApiPath(operation.path),
    summary: operation.summary,
    ...(operation.description ? { description: operation.description } : {}),
    tags: [operation.tag],
    operationId: `${operation.method}${openApiPath(operation.path).replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    request: {
      ...(request?.params ? { params: request.params } : {}),
      ...(request?.query ? { query: request.query } : {}),
      ...(request?.headers ? { headers: request.headers } : {}),
      ...(request?.body
        ? { body: { description: request.body.description, required: true, content: { 'application/json': { schema: ref(request.body.schema), example: request.body.example } } } }
        : {}),
    },
    responses,
  };
}

/**
 * Query strings and paths carry text, never JSON null, yet the generator marks a coerced number
 * that accepts null (`z.coerce.number().min(0)`: Number(null) is 0) as nullable. Drop that `null`.
 */
function withoutNullParameters(document: OpenApiDocument): OpenApiDocument {
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item as Record<string, { parameters?: Array<{ schema?: { type?: unknown } }> }>)) {
      for (const parameter of operation.parameters ?? []) {
        const type = parameter.schema?.type;
        if (Array.isArray(type) && type.includes('null')) {
          const rest = type.filter((t) => t !== 'null');
          parameter.schema!.type = rest.length === 1 ? rest[0] : rest;
        }
      }
    }
  }
  return document;
}

const SWAGGER_UI_FILES = new Set(['swagger-ui.css', 'swagger-ui.css.map', 'swagger-ui-bundle.js', 'swagger-ui-bundle.js.map', 'favicon-16x16.png', 'favicon-32x32.png']);

/** Swagger UI's files, from the installed swagger-ui-dist package. */
function swaggerUiDir(): string {
  return path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

const DOCS_PAGE = (title: string) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>${escapeHtml(title)} — API docs</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/init.js"></script>
</body>
</html>
`;

// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
const DOCS_INIT = `window.ui = SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
`;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

/**
 * Serves `GET /openapi.json` (the document) and `GET /docs` (Swagger UI over it; its scripts and
 * styles under `/docs/assets/`, from swagger-ui-dist). Mount before `finishApp`.
 */
export function serveApiDocs(app: Express, document: OpenApiDocument): void {
  const json = JSON.stringify(document);
  const page = DOCS_PAGE(document.info.title);
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(json);
  });
  app.get('/docs', (_req, res) => {
    res.type('html').send(page);
  });
  // Only the files the page uses: the package also holds a demo page pointing at petstore.swagger.io.
  // Middleware, not routes: assets are not API operations, so the document leaves them out.
  const assets = express.static(swaggerUiDir(), { index: false, fallthrough: true, maxAge: '1h' });
  app.use('/docs/assets', (req, res, next) => {
    if (req.method === 'GET' && req.path === '/init.js') {
      res.type('application/javascript').send(DOCS_INIT);
      return;
    }
    if (!SWAGGER_UI_FILES.has(req.path.slice(1))) {
      next();
      return;
    }
    assets(req, res, next);
  });
}
