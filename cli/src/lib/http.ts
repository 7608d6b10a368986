import { ExternalError } from '../errors.js';

export interface JsonResponse<T = unknown> {
  status: number;
  body: T;
}

/**
 * fetch + JSON for the CLI's calls to our own services. Only an unreachable service
 * throws (ExternalError naming it); any HTTP status is returned for the caller to judge.
 */
export async function requestJson<T = unknown>(method: string, url: string, body?: unknown, timeoutMs = 15_000): Promise<JsonResponse<T>> {
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { 'content-type': 'application/json', accept: 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    throw new ExternalError(`cannot reach ${new URL(url).origin} (${method} ${new URL(url).pathname})`, { cause: err, hint: 'is the stack up? `oms status` shows what runs' });
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // keep the raw text: an error page is still worth showing
  }
  return { status: res.status, body: parsed as T };
}

/** Like requestJson but any status outside 2xx becomes an ExternalError with the service's message. */
export async function expectJson<T = unknown>(method: string, url: string, body?: unknown): Promise<T> {
  const res = await requestJson<T>(method, url, body);
  if (res.status < 200 || res.status >= 300) {
    const b = res.body as { message?: string; details?: unknown } | string | null;
    const message = typeof b === 'object' && b ? `${b.message ?? ''}${b.details ? ` ${JSON.stringify(b.details)}` : ''}` : String(b);
    throw new ExternalError(`${method} ${url} answered ${res.status}: ${message}`.slice(0, 600));
  }
  return res.body;
}
