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
 * The one HTTP client of the services: an axios instance on `baseUrl` with a timeout,
 * keep-alive agents and JSON accepted. It never goes through a proxy (services talk to each
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
    httpAgent: new http.Agent({ keepAlive: true, maxSockets }),
    httpsAgent: new https.Agent({ keepAlive: true, maxSockets }),
    validateStatus: (status) => status < 500,
  });
  client.interceptors.response.use(undefined, (err: unknown) => Promise.reject(toDependencyError(client, dependency, err)));
  return client;
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
