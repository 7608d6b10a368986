/**
 * Server-sent events on an express response: the console's live feeds (overview, topic
 * tail, trace). The stream ends when the client goes away, which aborts `signal`.
 */
import type { Response } from 'express';

export interface EventStream {
  /** Aborted when the client disconnects (or `close` is called). */
  readonly signal: AbortSignal;
  send(event: string, data: unknown): void;
  close(): void;
}

/** Keeps proxies and the browser from timing the stream out while nothing happens. */
const HEARTBEAT_MS = 15_000;

export function openEventStream(res: Response): EventStream {
  const controller = new AbortController();
  res.status(200).set({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  res.flushHeaders();
  // Tell EventSource to wait 2 s before reconnecting after a dropped stream.
  res.write('retry: 2000\n\n');
  const heartbeat = setInterval(() => res.destroyed || res.write(': heartbeat\n\n'), HEARTBEAT_MS);
  const close = () => {
    if (controller.signal.aborted) return;
    clearInterval(heartbeat);
    controller.abort();
    if (!res.destroyed) res.end();
  };
  res.on('close', close);
  // A client gone mid-write is a closed stream, not a crash.
  res.on('error', close);
  if (res.destroyed) close();
  return {
    signal: controller.signal,
    send(event, data) {
      if (!controller.signal.aborted && !res.destroyed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close,
  };
}
