/**
 * The page's only way to the console server: JSON requests and live streams, with every
 * failure turned into an ApiError carrying the server's `{error, message, details}` —
 * rendered as a readable message, never a stack trace.
 */
import type { ApiProblem } from '../../src/console/wire.js';
import { h } from './dom.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: ApiProblem,
  ) {
    super(problem.message);
  }
}

function isProblem(body: unknown): body is ApiProblem {
  return typeof body === 'object' && body !== null && typeof (body as ApiProblem).message === 'string' && typeof (body as ApiProblem).error === 'string';
}

async function request<T>(method: 'GET' | 'POST', path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, { method, headers: { accept: 'application/json' } });
  } catch {
    throw new ApiError(0, { error: 'offline', message: 'the console server does not answer (is it still running? `oms up --only console` starts it)', details: null });
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: reported below
  }
  if (res.ok) return body as T;
  throw new ApiError(res.status, isProblem(body) ? body : { error: `http_${res.status}`, message: `the console answered ${res.status} ${res.statusText}`, details: null });
}

export const getJson = <T>(path: string) => request<T>('GET', path);
export const postJson = <T>(path: string) => request<T>('POST', path);

/** The readable block for any failure: message, then the hint and detail lines when there are any. */
export function problemBox(err: unknown): HTMLElement {
  const problem: ApiProblem = err instanceof ApiError ? err.problem : { error: 'page', message: err instanceof Error ? err.message : String(err), details: null };
  return problemView(problem);
}

export function problemView(problem: ApiProblem): HTMLElement {
  const d = problem.details;
  const lines = Array.isArray(d) ? d.map((i) => `${i.path}: ${i.message}`) : (d?.lines ?? []);
  const hint = Array.isArray(d) ? null : (d?.hint ?? null);
  return h(
    'div',
    { class: 'problem', role: 'alert', 'data-error': problem.error },
    h('strong', null, problem.message),
    lines.length > 0 ? h('pre', null, lines.join('\n')) : null,
    hint ? h('div', { class: 'hint' }, '→ ', hint) : null,
  );
}

export type StreamHandlers = Record<string, (data: unknown) => void>;

/** Parses server-sent events from a fetch body (EventSource cannot POST). */
async function readEvents(body: ReadableStream<Uint8Array>, handlers: StreamHandlers, signal: AbortSignal): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  signal.addEventListener('abort', () => void reader.cancel().catch(() => undefined), { once: true });
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done || !value) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event: ')) event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      if (data.length > 0) handlers[event]?.(JSON.parse(data.join('\n')) as unknown);
    }
  }
}

/**
 * A live stream: GET streams use EventSource (which reconnects by itself), POST streams are
 * read from fetch. Returns the function that closes it.
 */
export function stream(path: string, handlers: StreamHandlers, opts: { method?: 'GET' | 'POST'; onClose?: () => void } = {}): () => void {
  if ((opts.method ?? 'GET') === 'GET') {
    const source = new EventSource(path);
    for (const [event, handle] of Object.entries(handlers)) source.addEventListener(event, (e) => handle(JSON.parse((e as MessageEvent<string>).data) as unknown));
    return () => source.close();
  }
  const controller = new AbortController();
  void fetch(path, { method: 'POST', headers: { accept: 'text/event-stream' }, signal: controller.signal })
    .then(async (res) => {
      if (!res.ok || !res.body) {
        const text = await res.text();
        let body: unknown = null;
        try {
          body = JSON.parse(text);
        } catch {
          // shown as a generic problem
        }
        handlers.problem?.(isProblem(body) ? body : { error: `http_${res.status}`, message: `the console answered ${res.status}`, details: null });
        return;
      }
      await readEvents(res.body, handlers, controller.signal);
    })
    .catch(() => {
      if (!controller.signal.aborted) handlers.problem?.({ error: 'offline', message: 'the console server does not answer', details: null });
    })
    .finally(() => opts.onClose?.());
  return () => controller.abort();
}
