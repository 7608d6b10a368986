/**
 * Test-only (`@oms/service-kit/openapi-check`): checks a service's OpenAPI document against what
 * the service really does. `routeCoverage` compares the document's operations with the routes
 * the express router serves; `ResponseLog` checks real answers against the document's response
 * schemas with ajv (JSON Schema 2020-12, OpenAPI 3.1's dialect). The check reads the emitted
 * JSON, not the zod schemas it came from, so a document that says something else than the code
 * does fails here. ajv is a devDependency: services never load this at run time.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Express } from 'express';
import { beforeAll, describe, expect, it } from 'vitest';

/** The parts of an OpenAPI 3.1 document the checks read. */
interface Document {
  paths?: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown; example?: unknown; examples?: Record<string, { value?: unknown }> }> }> }>>;
  components?: unknown;
}

const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

/** `METHOD /path` with OpenAPI-style `{param}`s: how both sides of the comparison are written. */
function key(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

/** Every documented operation as `METHOD /path/{param}`. */
export function documentedOperations(document: object): string[] {
  return Object.entries((document as Document).paths ?? {}).flatMap(([path, item]) => Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => key(m, path)));
}

/** The router internals the walk reads (express 5's router 2.x). */
interface Layer {
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle?: { stack?: Layer[] };
  rawPath?: unknown;
  slash?: boolean;
}

/**
 * Every route the app's router serves, as `METHOD /path/{param}`, found by walking the router's
 * stack (nested routers included), so nothing is listed by hand. Middleware without a route
 * (body parsing, static assets) is not an operation and is left out.
 */
export function servedRoutes(app: Express): string[] {
  const root = (app as unknown as { router: { stack: Layer[] } }).router;
  const routes: string[] = [];
  const walk = (stack: Layer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        if (typeof layer.route.path !== 'string') throw new Error(`a route path that is not a string (${String(layer.route.path)}) cannot be documented`);
        const path = (prefix + layer.route.path).replace(/:([A-Za-z0-9_]+)/g, '{$1}');
        const methods = Object.keys(layer.route.methods).filter((m) => layer.route?.methods[m]);
        for (const method of methods) routes.push(method === '_all' ? key('ALL', path) : key(method, path));
      } else if (layer.handle?.stack) {
        if (!layer.slash && typeof layer.rawPath !== 'string') throw new Error('a router mounted on a pattern cannot be walked');
        walk(layer.handle.stack, layer.slash ? prefix : prefix + (layer.rawPath as string));
      }
    }
  };
  walk(root.stack, '');
  // HEAD is served by every GET route; it is not an operation of its own.
  return [...new Set(routes.filter((r) => !r.startsWith('HEAD ')))];
}

/** Routes served but not documented, and documented operations no route serves. */
export function routeCoverage(app: Express, document: object): { undocumented: string[]; unserved: string[] } {
  const served = servedRoutes(app);
  const documented = documentedOperations(document);
  return { undocumented: served.filter((r) => !documented.includes(r)).sort(), unserved: documented.filter((d) => !served.includes(d)).sort() };
}

/** One real answer of the service. */
export interface SeenResponse {
  method: string;
  /** The request path without the query (percent-encoded as sent). */
  path: string;
  status: number;
  contentType: string | null;
  /** Parsed JSON, or the text when it was not JSON, or undefined when empty. */
  body: unknown;
}

/** Compiles schemas of one document with ajv; `$ref`s resolve inside the document. */
class SchemaValidator {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(document: object) {
    addFormats.default(this.ajv);
    this.ajv.addSchema({ ...document, $id: 'openapi.json' });
  }

  /** ajv's complaints about `value` against the schema at `pointer` (a JSON pointer into the document). */
  problems(pointer: string, value: unknown): string[] {
    let validate = this.cache.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi.json#${pointer}` });
      this.cache.set(pointer, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message ?? 'is invalid'}${e.params && Object.keys(e.params).length > 0 ? ` ${JSON.stringify(e.params)}` : ''}`);
  }
}

function pointerPart(text: string): string {
  return text.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** The documented path template a concrete path matches (`/customers/abc` → `/customers/{id}`); literal segments win. */
function matchTemplate(document: Document, path: string): string | undefined {
  const segments = path.split('/');
  const candidates = Object.keys(document.paths ?? {}).filter((template) => {
    const parts = template.split('/');
    return parts.length === segments.length && parts.every((part, i) => /^\{[^}]+\}$/.test(part) || part === segments[i]);
  });
  // A template with fewer parameters is more specific (/health/indexer before /health/{x}).
  return candidates.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))[0];
}

/**
 * Problems of one real answer against the document, `[]` when it matches: its path and method
 * are documented, its status is one the operation documents, and a JSON body validates against
 * that status' schema. A path no route serves must be answered by the shared 404 error body.
 */
function responseProblems(document: Document, validator: SchemaValidator, seen: SeenResponse): string[] {
  const label = `${seen.method} ${seen.path} → ${seen.status}`;
  const method = seen.method.toLowerCase();
  const template = matchTemplate(document, seen.path);
  const operation = template === undefined ? undefined : document.paths?.[template]?.[method];
  if (!template || !operation) {
    if (seen.status === 404 && isErrorBody(seen.body)) return [];
    return [`${label}: no documented operation ${key(seen.method, template ?? seen.path)}`];
  }
  const response = operation.responses?.[String(seen.status)];
  if (!response) return [`${label}: status ${seen.status} is not documented for ${key(method, template)} (documented: ${Object.keys(operation.responses ?? {}).join(', ')})`];
  const json = response.content?.['application/json'];
  if (!json) {
    if (seen.body !== undefined && !response.content) return [`${label}: documented without a body, but one came`];
    return [];
  }
  if (!seen.contentType?.startsWith('application/json')) return [`${label}: documented as application/json, answered ${seen.contentType ?? 'without a content type'}`];
  const pointer = `/paths/${pointerPart(template)}/${method}/responses/${seen.status}/content/${pointerPart('application/json')}/schema`;
  return validator.problems(pointer, seen.body).map((p) => `${label}: ${p}`);
}

function isErrorBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && 'error' in body && 'message' in body;
}

/**
 * The answers a test suite received, to check against the service's document at the end: the
 * suite's request helper adds each one, a last test calls {@link ResponseLog.problems}.
 */
export class ResponseLog {
  readonly seen: SeenResponse[] = [];

  /** Records `res` (its body already read as `text`) for the request `method url`. */
  add(method: string, url: string, res: { status: number; headers: Headers }, text: string): void {
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    this.seen.push({ method: method.toUpperCase(), path: new URL(url).pathname, status: res.status, contentType: res.headers.get('content-type'), body });
  }

  /**
   * Sends a JSON request (`body` serialized, or `rawBody` as it is) and records its answer unless
   * `record` is false (a request to something else than the service under test).
   */
  async call<T = any>(method: string, url: string, body?: unknown, rawBody?: string, record = true): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await fetch(url, {
      method,
      headers: body !== undefined || rawBody !== undefined ? { 'content-type': 'application/json' } : {},
      body: rawBody ?? (body === undefined ? undefined : JSON.stringify(body)),
    });
    const text = await res.text();
    if (record) this.add(method, url, res, text);
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, headers: res.headers };
  }

  /** Every problem of every recorded answer against `document`; `[]` when all match. */
  problems(document: object): string[] {
    const validator = new SchemaValidator(document);
    return this.seen.flatMap((seen) => responseProblems(document as Document, validator, seen));
  }
}

/**
 * Every example in the document (request bodies and answers) checked against the schema beside
 * it: an example that the API would reject, or never give, is a lie in the docs.
 */
export function exampleProblems(document: object): string[] {
  const validator = new SchemaValidator(document);
  const problems: string[] = [];
  for (const [path, item] of Object.entries((document as Document).paths ?? {})) {
    for (const [method, operation] of Object.entries(item)) {
      const op = operation as { requestBody?: { content?: Record<string, { example?: unknown }> } } & typeof operation;
      const body = op.requestBody?.content?.['application/json'];
      if (body?.example !== undefined) {
        const pointer = `/paths/${pointerPart(path)}/${method}/requestBody/content/${pointerPart('application/json')}/schema`;
        problems.push(...validator.problems(pointer, body.example).map((p) => `${key(method, path)} request example: ${p}`));
      }
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        const json = response.content?.['application/json'];
        if (!json) continue;
        const pointer = `/paths/${pointerPart(path)}/${method}/responses/${status}/content/${pointerPart('application/json')}/schema`;
        const values = [...(json.example === undefined ? [] : [['example', json.example] as const]), ...Object.entries(json.examples ?? {}).map(([name, e]) => [name, e.value] as const)];
        if (values.length === 0) problems.push(`${key(method, path)} ${status}: no example`);
        for (const [name, value] of values) problems.push(...validator.problems(pointer, value).map((p) => `${key(method, path)} ${status} example ${name}: ${p}`));
      }
    }
  }
  return problems;
}

/** What {@link describeOpenApiContract} needs from a service's integration test. */
export interface ContractTarget {
  /** The app under test (the one listening at `baseUrl`). */
  app: () => Express;
  baseUrl: () => string;
  /** The answers the suite's request helper recorded. */
  log: ResponseLog;
}

/**
 * The OpenAPI contract tests every REST service runs, at the end of its integration suite (the
 * last check reads what the tests before it received): the served `/openapi.json` against the
 * router, its examples against its schemas, and every real answer against it.
 */
export function describeOpenApiContract(target: ContractTarget): void {
  describe('GET /openapi.json: the document against the service', () => {
    let document: object;

    beforeAll(async () => {
      const res = await fetch(`${target.baseUrl()}/openapi.json`);
      expect(res.status).toBe(200);
      document = (await res.json()) as object;
    });

    it('when the routes the router serves are compared with the document, then every route is documented and every documented operation is served', () => {
      const coverage = routeCoverage(target.app(), document);
      expect(documentedOperations(document).length).toBeGreaterThan(3);
      expect(coverage).toEqual({ undocumented: [], unserved: [] });
    });

    it('when each example in the document is checked against the schema beside it, then each validates', () => {
      expect(exampleProblems(document)).toEqual([]);
    });

    it('when every answer the tests above received is checked against the document, then each has a documented status and a body its schema accepts', () => {
      expect(target.log.seen.length).toBeGreaterThan(10);
      expect(target.log.problems(document)).toEqual([]);
    });
  });
}
