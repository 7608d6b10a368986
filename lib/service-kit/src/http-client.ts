import http from 'node:http';
import https from 'node:https';
import axios, { isAxiosError, type AxiosInstance, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import type { z } from 'zod';
import { DependencyUnavailableError } from './errors.js';

export interface HttpClientOptions {
  /** The service this client talks to, as errors and 503 answers name it ("customers"). */
  dependency: string;
  /** Its base URL, e.g. `http://127.0.0.1:3001`. */
  baseUrl: string;
  /** Budget per request; a slower answer counts as the dependency being unavailable. */
  timeoutMs?: number;
  /** Sockets kept per host: parallel calls reuse them instead of opening one each. */
  maxSockets?: number;
}

/**
 * How long a kept-alive socket may sit unused before the client closes it: under Node's
 * default `server.keepAliveTimeout` (5 s), so the client never writes to a socket the server
 * is closing at the same moment (an ECONNRESET a caller would see as a 503).
 */
export const FREE_SOCKET_TIMEOUT_MS = 4_000;

/** Methods a request may be sent again for without changing what the dependency did. */
const IDEMPOTENT_METHODS = new Set(['get', 'head', 'options', 'put', 'delete']);

/** Marks a request already sent again once because its reused socket was reset. */
interface ResentConfig extends InternalAxiosRequestConfig {
  omsResentOnFreshSocket?: boolean;
}

/**
 * The one HTTP client of the services: an axios instance on `baseUrl` with a timeout,
 * keep-alive agents and JSON accepted. An idempotent request whose kept-alive socket turns out
 * to be closed (ECONNRESET or EPIPE before any answer) is sent once more on a fresh socket:
 * the race Node's documentation describes for `request.reusedSocket`. It never goes through a proxy (services talk to each
 * other directly, whatever HTTP_PROXY says). 2xx–4xx answers resolve, so the caller decides
 * what a 404 means; no answer, a timeout or a 5xx rejects with a
 * {@link DependencyUnavailableError} naming the dependency, which the error middleware answers
 * as a 503.
 */
export function createHttpClient({ dependency, baseUrl, timeoutMs = 5_000, maxSockets = 32 }: HttpClientOptions): AxiosInstance {
  const client = axios.create({
    baseURL: baseUrl,
    timeout: timeoutMs,
    headers: { accept: 'application/json' },
    proxy: false,
    // Services never redirect one another; without follow-redirects' wrapper the error's
    // request is Node's own, whose `reusedSocket` tells a stale socket apart.
    maxRedirects: 0,
    httpAgent: new http.Agent({ keepAlive: true, maxSockets, timeout: FREE_SOCKET_TIMEOUT_MS }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets, timeout: FREE_SOCKET_TIMEOUT_MS }),
    validateStatus: (status) => status < 500,
  });
  client.interceptors.response.use(undefined, (err: unknown) => {
    if (isAxiosError(err) && err.config && isResetOfReusedSocket(err)) {
      const config: ResentConfig = err.config;
      if (!config.omsResentOnFreshSocket && IDEMPOTENT_METHODS.has((config.method ?? 'get').toLowerCase())) {
        return client.request({ ...config, omsResentOnFreshSocket: true } as ResentConfig);
      }
    }
    return Promise.reject(toDependencyError(client, dependency, err));
  });
  return client;
}

/** No answer because the server closed a kept-alive socket we had just reused. */
function isResetOfReusedSocket(err: { code?: string; cause?: unknown; request?: unknown; response?: unknown }): boolean {
  if (err.response) return false;
  const code = err.code ?? (err.cause as { code?: string } | undefined)?.code;
  return (code === 'ECONNRESET' || code === 'EPIPE') && (err.request as { reusedSocket?: boolean } | undefined)?.reusedSocket === true;
}

/**
 * The body of `response` parsed by `schema`. A body of another shape means the dependency
 * is not the one we know: a {@link DependencyUnavailableError}, never a cast.
 */
export function parseAnswer<S extends z.ZodType>(schema: S, response: AxiosResponse, dependency: string): z.infer<S> {
  const parsed = schema.safeParse(response.data);
  if (parsed.success) return parsed.data;
  throw new DependencyUnavailableError(dependency, `${describeRequest(response.config)} returned an unexpected body`);
}

/** "GET http://host:port/path": what a reason names. */
export function describeRequest(config: Pick<InternalAxiosRequestConfig, 'method' | 'url' | 'baseURL'> | undefined): string {
  if (!config) return 'a request';
  const url = config.url && /^https?:/.test(config.url) ? config.url : `${config.baseURL ?? ''}${config.url ?? ''}`;
  return `${(config.method ?? 'get').toUpperCase()} ${url}`;
}

function toDependencyError(client: AxiosInstance, dependency: string, err: unknown): unknown {
  if (!isAxiosError(err)) return err;
  const request = describeRequest(err.config);
  if (err.response) return new DependencyUnavailableError(dependency, `${request} answered ${err.response.status}`);
  const timeout = err.config?.timeout ?? client.defaults.timeout;
  if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT') {
    return new DependencyUnavailableError(dependency, `${request} failed: no answer within ${String(timeout)} ms`);
  }
  // A socket error carries its code (ECONNREFUSED, ECONNRESET, ENOTFOUND): the useful part.
  const cause = err.cause as { code?: string } | undefined;
  return new DependencyUnavailableError(dependency, `${request} failed: ${err.code ?? cause?.code ?? err.message}`);
}
