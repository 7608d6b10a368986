import express, { type Express, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { Logger } from 'pino';
import type { DependencyState } from './dependencies.js';
import { HttpError } from './errors.js';
import { withTimeout } from './timeout.js';
import { asDependencyUnavailable, DEFAULT_RETRY_AFTER_SECONDS } from './unavailable.js';

/** A named dependency check; resolves when the dependency answers, throws otherwise. */
export interface HealthCheck {
  name: string;
  check: () => Promise<unknown>;
}

export interface BaseAppOptions {
  logger: Logger;
  /** Dependencies `/health` must reach before it answers 200. */
  health: HealthCheck[];
  /**
   * The service's start-up state (see `runService`). While a dependency is not ready,
   * `/health` answers 503 `{status: "starting", waitingFor}` and a request that fails for
   * any unexpected reason is a 503 naming it rather than a 500. Absent: ready from the start.
   */
  dependencies?: DependencyState;
  /** Request body limit; larger bodies get a 413. */
  bodyLimit?: string;
  /**
   * The dependency a bare socket error (ECONNREFUSED with nothing else to tell its driver by)
   * is blamed on in a 503; default the first `health` check's name, the service's main store.
   */
  mainDependency?: string;
  /** `Retry-After` of a 503 whose error does not carry its own; default 5 s. */
  retryAfterSeconds?: number;
}

/** What the error handler knows of the service (createBaseApp's options, kept for finishApp). */
export interface ErrorContext {
  dependencies?: DependencyState;
  mainDependency?: string;
  retryAfterSeconds?: number;
}

// finishApp's error handler consults what createBaseApp was given.
const errorContexts = new WeakMap<Express, ErrorContext>();

/**
 * An express app with JSON parsing (1 MB limit), request logging and `GET /health`.
 * Mount routes on it, then call {@link finishApp} to add the 404 and error handlers.
 */
export function createBaseApp({ logger, health, dependencies, bodyLimit = '1mb', mainDependency = health[0]?.name, retryAfterSeconds }: BaseAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // No SHA-1 of every JSON answer for a conditional GET none of our clients makes.
  app.set('etag', false);
  app.set('query parser', 'simple');
  app.use(requestLogger(logger));
  app.use(express.json({ limit: bodyLimit, strict: false }));
  app.get('/health', healthHandler(health, dependencies));
  errorContexts.set(app, { dependencies, mainDependency, retryAfterSeconds });
  return app;
}

/** Adds the 404 fallback and the error handler; call after mounting every route. */
export function finishApp(app: Express, logger: Logger): Express {
  app.use((req: Request, _res: Response, next: NextFunction) => {
    next(new HttpError(404, 'not_found', `no route for ${req.method} ${req.path}`));
  });
  const context = errorContexts.get(app);
  app.use(errorHandler(logger, context));
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

/** One entry of the `/health` body's `checks`. */
type CheckResult = { ok: true } | { ok: false; error: string; waiting?: true; attempts?: number };

/**
 * 200 `{status: "ok", checks}` when every check passes; 503 `{status: "unavailable", checks}`
 * when one fails; while dependencies are still awaited at start-up, 503 `{status: "starting",
 * waitingFor, checks}`, where each awaited dependency reports its attempts and last error
 * instead of being probed.
 */
function healthHandler(checks: HealthCheck[], dependencies?: DependencyState): RequestHandler {
  return async (_req, res) => {
    const waitingFor = dependencies?.waitingFor() ?? [];
    const waiting: Array<[string, CheckResult]> = waitingFor.map((name) => {
      const status = dependencies?.status(name);
      return [name, { ok: false, waiting: true, attempts: status?.attempts ?? 0, error: status?.lastError ?? 'not reached yet' }];
    });
    const probed = await Promise.all(
      checks
        .filter(({ name }) => !waitingFor.includes(name))
        .map(async ({ name, check }): Promise<[string, CheckResult]> => {
          try {
            await withTimeout(check(), 2000);
            return [name, { ok: true }];
          } catch (err) {
            return [name, { ok: false, error: err instanceof Error ? err.message : String(err) }];
          }
        }),
    );
    const results = Object.fromEntries([...waiting, ...probed]);
    if (waitingFor.length > 0) {
      res.status(503).json({ status: 'starting', waitingFor, checks: results });
      return;
    }
    const ok = probed.every(([, r]) => r.ok);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ok' : 'unavailable', checks: results });
  };
}

/** Body-parser errors carry `type` and `status`; map them to the documented 400 and 413. */
interface ParserError {
  type?: string;
  status?: number;
  limit?: number;
}

/**
 * Turns every error into `{error, message, details}` JSON. Client mistakes keep their 4xx.
 * A `DependencyUnavailableError`, or a driver error that means a dependency cannot
 * answer now (see {@link asDependencyUnavailable}; a bare socket error is blamed on
 * `mainDependency`), is a 503 `{error: "dependency_unavailable", message, details:
 * {dependency}}` with `Retry-After` (the error's own, else `retryAfterSeconds`, else 5 s). Any other error while
 * `dependencies` are not all ready is a 503 naming them (the request failed because of them);
 * otherwise it is logged with its stack and answered with a 500 that leaks nothing.
 */
export function errorHandler(logger: Logger, { dependencies, mainDependency, retryAfterSeconds = DEFAULT_RETRY_AFTER_SECONDS }: ErrorContext = {}) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const unavailable = asDependencyUnavailable(err, mainDependency);
    if (unavailable) {
      if (unavailable !== err) logger.warn({ err, dependency: unavailable.dependency, method: req.method, path: req.originalUrl }, unavailable.message);
      res
        .status(503)
        .set('Retry-After', String(unavailable.retryAfterSeconds ?? retryAfterSeconds))
        .json({ error: unavailable.error, message: unavailable.message, details: unavailable.details ?? null });
      return;
    }
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.error, message: err.message, details: err.details ?? null });
      return;
    }
    const parser = err as ParserError | null | undefined;
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
    const waitingFor = dependencies?.waitingFor() ?? [];
    if (waitingFor.length > 0) {
      logger.debug({ err, method: req.method, path: req.originalUrl, waitingFor }, 'request failed while dependencies are not ready');
      res
        .status(503)
        .set('Retry-After', String(retryAfterSeconds))
        .json({ error: 'dependency_unavailable', message: `the service is waiting for ${waitingFor.join(', ')}`, details: { waitingFor } });
      return;
    }
    logger.error({ err, method: req.method, path: req.originalUrl }, 'unhandled error');
    res.status(500).json({ error: 'internal', message: 'internal server error', details: null });
  };
}
