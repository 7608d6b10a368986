/**
 * The CLI's one HTTP client: axios instances made by {@link httpClient}, for our services,
 * Kafka Connect, Elasticsearch, the readiness probes and the Docker Hub check alike. Every
 * instance has a timeout, ignores proxy variables (everything it talks to is on 127.0.0.1
 * but the registry check, which must see what the machine itself reaches), returns any HTTP
 * status to the caller, and turns "cannot connect" into an ExternalError naming the service.
 * Answers are read through zod schemas, never cast.
 */
import axios, { isAxiosError, type AxiosInstance } from 'axios';
import { z } from 'zod';
import { ExternalError } from '../errors.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpOptions {
  /** Who answers, for messages: "Kafka Connect", "the orders service". */
  service: string;
  baseUrl: string;
  /** Per request (default 15 s). */
  timeoutMs?: number;
  /** What to do when the service cannot be reached. */
  hint?: string;
}

export interface HttpResponse {
  status: number;
  /** The JSON answer parsed, else its text (an error page is still worth showing); null when empty. */
  body: unknown;
  headers: Record<string, string>;
}

export interface HttpClient {
  readonly service: string;
  readonly baseUrl: string;
  /** Any HTTP status comes back for the caller to judge; only an unreachable server (or no answer in time) throws. */
  send(method: Method, path: string, opts?: { body?: unknown; timeoutMs?: number; headers?: Record<string, string> }): Promise<HttpResponse>;
  /** A 2xx answer, parsed by `schema`; another status or another shape is an ExternalError quoting the service. */
  json<S extends z.ZodType>(method: Method, path: string, schema: S, body?: unknown): Promise<z.infer<S>>;
}

/** How our services (and Connect) explain an error: `{message, details}`. */
const errorBody = z.object({ message: z.string(), details: z.unknown().optional() });

const DEFAULT_HINT = 'is the stack up? `oms status` shows what runs (`oms up` starts it)';

/** Why a request got no answer, in a few words: `ECONNREFUSED`, `no answer within 3000 ms`. */
export function unreachableReason(err: unknown): string {
  if (err instanceof ExternalError && err.cause !== undefined) return unreachableReason(err.cause);
  if (isAxiosError(err)) {
    if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT') return `no answer within ${err.config?.timeout ?? '?'} ms`;
    return err.code ?? (err.message || 'no answer');
  }
  if (err instanceof AggregateError && err.errors.length > 0) return unreachableReason(err.errors[0]);
  return err instanceof Error ? err.message : String(err);
}

/** The service's own words from an error answer (`{message, details}` or text), shortened. */
export function answerText(body: unknown): string {
  const said = errorBody.safeParse(body);
  if (said.success) return `${said.data.message}${said.data.details ? ` ${JSON.stringify(said.data.details)}` : ''}`.slice(0, 500);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- JSON.stringify answers undefined for undefined, whatever its type says
  return (typeof body === 'string' ? body : JSON.stringify(body) ?? '').slice(0, 500);
}

/** Parses a network answer; a shape we do not expect is the service's fault, reported as such. */
export function parseAnswer<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new ExternalError(`${what} answered with an unexpected shape`, {
    details: [...parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(answer)'}: ${i.message}`), `answer: ${JSON.stringify(body).slice(0, 300)}`],
    hint: 'is it the OMS version this CLI belongs to? `oms status` shows what runs',
  });
}

/** An HTTP client for one service. Cheap: nothing is contacted until a request is made. */
export function httpClient(opts: HttpOptions): HttpClient {
  const instance: AxiosInstance = axios.create({
    baseURL: opts.baseUrl,
    timeout: opts.timeoutMs ?? 15_000,
    proxy: false,
    validateStatus: () => true,
    headers: { accept: 'application/json' },
  });
  const send: HttpClient['send'] = async (method, path, o = {}) => {
    try {
      const res = await instance.request({ method, url: path, ...(o.body === undefined ? {} : { data: o.body }), ...(o.timeoutMs ? { timeout: o.timeoutMs } : {}), ...(o.headers ? { headers: o.headers } : {}) });
      const headers = Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k.toLowerCase(), String(v)]));
      return { status: res.status, body: res.data === '' || res.data === undefined ? null : (res.data as unknown), headers };
    } catch (err) {
      throw new ExternalError(`cannot reach ${opts.service} at ${opts.baseUrl} (${method} ${path}): ${unreachableReason(err)}`, { cause: err, hint: opts.hint ?? DEFAULT_HINT });
    }
  };
  return {
    service: opts.service,
    baseUrl: opts.baseUrl,
    send,
    async json(method, path, schema, body) {
      const res = await send(method, path, body === undefined ? {} : { body });
      if (res.status < 200 || res.status >= 300) {
        throw new ExternalError(`${opts.service}: ${method} ${path} answered ${res.status}: ${answerText(res.body)}`.slice(0, 600));
      }
      return parseAnswer(schema, res.body, `${opts.service} (${method} ${path})`);
    },
  };
}
