import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import { HttpError } from './errors.js';

/** A named dependency check; resolves when the dependency answers, throws otherwise. */
export interface HealthCheck {
  name: string;
  check: () => Promise<unknown>;
}

export interface BaseAppOptions {
  logger: Logger;
  /** Dependencies `/health` must reach before it answers 200. */
  health: HealthCheck[];
  /** Request body limit; larger bodies get a 413. */
  bodyLimit?: string;
}

/**
 * An express app with JSON parsing (1 MB limit), request logging and `GET /health`.
 * Mount routes on it, then call {@link finishApp} to add the 404 and error handlers.
 */
export function createBaseApp({ logger, health, bodyLimit = '1mb' }: BaseAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(requestLogger(logger));
  app.use(express.json({ limit: bodyLimit, strict: false }));
  app.get('/health', healthHandler(health));
  return app;
}

/** Adds the 404 fallback and the error handler; call after mounting every route. */
export function finishApp(app: Express, logger: Logger): Express {
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
  });
  app.use(errorHandler(logger));
  return app;
}

function requestLogger(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const start = process.hrtime.bigint();
    res.on('finish', () => {
      if (req.path === '/health' && res.statusCode === 200) return;
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      logger.info({ method: req.method, path: req.originalUrl, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'request');
    });
    next();
  };
}

function healthHandler(checks: HealthCheck[]): RequestHandler {
  return async (_req, res) => {
    const results = await Promise.all(
      checks.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), 2000);
          return [name, { ok: true }] as const;
        } catch (err) {
          return [name, { ok: false, error: err instanceof Error ? err.message : String(err) }] as const;
        }
      }),
    );
    const ok = results.every(([, r]) => r.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks: Object.fromEntries(results) });
  };
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Body-parser errors carry `type` and `status`; map them to the documented 400 and 413. */
interface ParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * Turns every error into `{error, message, details}` JSON. Client mistakes keep their 4xx;
 * anything else is logged with its stack and answered with a 500 that leaks nothing.
 */
export function errorHandler(logger: Logger) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.error, message: err.message, details: err.details ?? null });
      return;
    }
    const parser = err as ParserError;
    if (parser?.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'malformed_json', message: 'request body is not valid JSON', details: null });
      return;
    }
    if (parser?.type === 'entity.too.large') {
      res.status(413).json({ error: 'payload_too_large', message: 'request body is too large', details: { limitBytes: parser.limit ?? null } });
      return;
    }
    if (typeof parser?.status === 'number' && parser.status >= 400 && parser.status < 500) {
      res.status(parser.status).json({ error: 'bad_request', message: (err as Error).message, details: null });
      return;
    }
    logger.error({ err, method: req.method, path: req.originalUrl }, 'unhandled error');
    res.status(500).json({ error: 'internal', message: 'internal server error', details: null });
  };
}
