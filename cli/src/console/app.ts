/**
 * The console's HTTP app: the web page (static files, nothing from outside 127.0.0.1), a JSON
 * API over the CLI's operations, and server-sent events for what is live (the overview, a
 * topic's tail, an order's trace). Every error is `{error, message, details}` JSON — a user's
 * mistake a 4xx, a part of the stack that does not answer a 502/503 — never a stack trace.
 * `createConsoleApp` never listens; server.ts does.
 */
import path from 'node:path';
import { createBaseApp, finishApp, HttpError, validate, type Logger } from '@oms/service-kit';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { z } from 'zod';
import { CheckFailedError, ExternalError, isOmsError, NotFoundError, PrereqError, UsageError } from '../errors.js';
import { MAX_READ_LIMIT } from '../ops/records.js';
import type { TraceResult } from '../ops/trace.js';
import type { ConsoleApi } from './api.js';
import { OverviewFeed } from './feed.js';
import { openEventStream, type EventStream } from './sse.js';

export interface ConsoleAppDeps {
  api: ConsoleApi;
  logger: Logger;
  /** cli/web: `static/` (index.html, the stylesheet) is served at /, `dist/` (the compiled scripts) at /app. */
  webRoot: string;
  /** How often the overview is collected while a page listens (default 2 s). */
  overviewIntervalMs?: number;
  /** How long a trace watch may run (default 60 s). */
  traceTimeoutMs?: number;
}

/** An operation's error as the HTTP answer it deserves; anything else is passed on (a bug: a 500 that leaks nothing). */
export function toHttpError(err: unknown): unknown {
  if (!isOmsError(err)) return err;
  const details = { hint: err.hint ?? null, lines: err.details };
  if (err instanceof NotFoundError) return new HttpError(404, 'not_found', err.message, details);
  if (err instanceof UsageError) return new HttpError(400, 'bad_request', err.message, details);
  if (err instanceof ExternalError) return new HttpError(502, 'unavailable', err.message, details);
  if (err instanceof CheckFailedError || err instanceof PrereqError) return new HttpError(503, 'check_failed', err.message, details);
  return err;
}

/** What a page shows for an error on a live stream (the stream is open: no status code to send). */
export function describeError(err: unknown): { error: string; message: string; details: unknown } {
  const mapped = toHttpError(err);
  if (mapped instanceof HttpError) return { error: mapped.error, message: mapped.message, details: mapped.details ?? null };
  return { error: 'internal', message: 'internal error: see the console log (`oms logs console`)', details: null };
}

/** Kafka's own rule for topic names. */
const topicName = z.string().regex(/^[A-Za-z0-9._-]{1,249}$/, 'a topic name: letters, digits, ".", "_" and "-"');
const flag = z.enum(['1', '0', 'true', 'false', 'yes', 'no']).transform((v) => ['1', 'true', 'yes'].includes(v));
const recordsQuery = z.object({
  partition: z.coerce.number().int().min(0).optional(),
  from: z.union([z.literal('latest'), z.string().regex(/^\d+$/, '"latest" or an offset (a whole number)')]).default('latest'),
  limit: z.coerce.number().int().min(1).max(MAX_READ_LIMIT).default(20),
});
const tailQuery = z.object({ partition: z.coerce.number().int().min(0).optional(), fromBeginning: flag.default(false) });
const restartQuery = z.object({ onlyFailed: flag.default(false) });

const param = (req: Request, name: string): string => String(req.params[name] ?? '');

export function createConsoleApp(deps: ConsoleAppDeps): Express {
  const { api, logger } = deps;
  const app = createBaseApp({ logger, health: [] });
  const feed = new OverviewFeed(() => api.overview(), describeError, deps.overviewIntervalMs ?? 2000);

  app.get('/api/overview', async (_req, res) => {
    res.json(await api.overview());
  });
  app.get('/api/overview/events', (_req, res) => {
    const stream = openEventStream(res);
    const stop = feed.subscribe((e) => stream.send(e.type, e.type === 'overview' ? e.overview : e.problem));
    stream.signal.addEventListener('abort', stop, { once: true });
  });

  app.get('/api/topics', async (_req, res) => {
    res.json({ topics: await api.topics() });
  });
  app.get('/api/topics/:topic/records', async (req, res) => {
    const topic = validate(topicName, param(req, 'topic'), 'topic name');
    const q = validate(recordsQuery, req.query, 'query');
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const result = await api.records({ topic, ...(q.partition === undefined ? {} : { partition: q.partition }), from: q.from === 'latest' ? 'latest' : { offset: q.from }, limit: q.limit }, controller.signal);
    res.json(result);
  });
  app.get('/api/topics/:topic/tail', async (req, res) => {
    const topic = validate(topicName, param(req, 'topic'), 'topic name');
    const q = validate(tailQuery, req.query, 'query');
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    // Checked before the stream opens, so a bad topic is an ordinary 404.
    const records = await api.follow({ topic, ...(q.partition === undefined ? {} : { partition: q.partition }), fromBeginning: q.fromBeginning, signal: controller.signal });
    const stream = openEventStream(res);
    stream.send('ready', { topic });
    try {
      for await (const record of records) stream.send('record', record);
    } catch (err) {
      logger.warn({ err: describeError(err) }, 'tail ended');
      stream.send('problem', describeError(err));
    } finally {
      stream.close();
    }
  });

  app.get('/api/connectors', async (_req, res) => {
    res.json({ connectors: await api.connectors() });
  });
  app.post('/api/connectors/:name/restart', async (req, res) => {
    const q = validate(restartQuery, req.query, 'query');
    res.json({ connector: await api.restartConnector(param(req, 'name'), q.onlyFailed) });
  });

  app.get('/api/groups', async (_req, res) => {
    res.json({ groups: await api.groups() });
  });

  app.get('/api/trace/:orderId', async (req, res) => {
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    res.json(await api.trace(param(req, 'orderId'), controller.signal));
  });
  /** Streams a watched trace until complete: `trace` events, then `end` (or `problem`). */
  const streamTrace = async (watch: (stream: EventStream, timeoutMs: number) => Promise<TraceResult>, res: Response) => {
    const stream = openEventStream(res);
    try {
      const last = await watch(stream, deps.traceTimeoutMs ?? 60_000);
      stream.send('end', { complete: last.complete });
    } catch (err) {
      stream.send('problem', describeError(err));
    } finally {
      stream.close();
    }
  };
  app.get('/api/trace/:orderId/events', (req, res) => streamTrace((stream, timeoutMs) => api.watchTrace(param(req, 'orderId'), { timeoutMs, signal: stream.signal, onUpdate: (r) => stream.send('trace', r) }), res));
  app.post('/api/demo-order', async (_req, res) => {
    res.status(201).json(await api.placeDemoOrder());
  });
  // Places a demo order and watches it from the moment it exists, so the read model's hops
  // get the time they appeared (a page opening a watch afterwards could come too late).
  app.post('/api/demo-order/trace', (_req, res) =>
    streamTrace((stream, timeoutMs) => api.traceDemoOrder({ timeoutMs, signal: stream.signal, onPlaced: (order) => stream.send('order', order), onUpdate: (r) => stream.send('trace', r) }), res),
  );

  app.use('/api', (req: Request, _res: Response, next: NextFunction) => next(new HttpError(404, 'not_found', `no API route for ${req.method} ${req.path}`)));
  app.use('/app', express.static(path.join(deps.webRoot, 'dist'), { fallthrough: true }));
  app.use(express.static(path.join(deps.webRoot, 'static'), { index: 'index.html' }));
  app.use((err: unknown, _req: Request, _res: Response, next: NextFunction) => next(toHttpError(err)));
  return finishApp(app, logger);
}

/** cli/web next to cli/dist (this file is cli/dist/console/app.js once built). */
export function defaultWebRoot(here: string): string {
  return path.resolve(path.dirname(here), '..', '..', 'web');
}
