import type { Server } from 'node:http';
import type { Express } from 'express';
import type { DestinationStream, Logger } from 'pino';
import { ConfigError } from './config.js';
import { DependencyState, StartupError, waitForDependencies, type DependencyStep } from './dependencies.js';
import { createLogger } from './logger.js';
import { describeError, RetryAbortedError } from './retry.js';

/** The port is taken or the address cannot be bound. */
export class ListenError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'ListenError';
  }
}

export interface ServeOptions {
  app: Express;
  port: number;
  host: string;
}

/** Listens; rejects with a {@link ListenError} that says which port is taken. */
export async function serve({ app, port, host }: ServeOptions): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', (err: NodeJS.ErrnoException) => {
      const message = err.code === 'EADDRINUSE' ? `port ${port} on ${host} is already in use` : `cannot listen on ${host}:${port}: ${err.message}`;
      reject(new ListenError(message, { cause: err }));
    });
  });
}

/** The variables every service reads (see `envStartTimeout` and friends in config.ts). */
export interface BaseServiceConfig {
  PORT: number;
  HOST: string;
  LOG_LEVEL: string;
  START_TIMEOUT_MS: number;
}

/** What a service's `create` gets. */
export interface ServiceContext<C extends BaseServiceConfig> {
  config: C;
  logger: Logger;
  /** The state `/health` and the error middleware read; pass it to `createBaseApp`. */
  dependencies: DependencyState;
  /**
   * Reports a failure the service cannot recover from by itself (a consumer that stopped for
   * good): the service shuts down and `runService` resolves 1, so a supervisor restarts it.
   */
  fail: (error: unknown, message: string) => void;
}

/** What a service is made of. */
export interface ServiceParts {
  app: Express;
  /** What to wait for before the service is ready, in order (see `waitForDependencies`). */
  waitFor: DependencyStep[];
  /** Releases clients (pools, consumers) once the HTTP server stopped accepting. */
  close: () => Promise<void>;
}

export interface ServiceDefinition<C extends BaseServiceConfig> {
  name: string;
  /** Reads the environment; a `ConfigError` is reported as the list of problems. */
  loadConfig: () => C;
  /** Builds the app and clients without touching the network. */
  create: (context: ServiceContext<C>) => ServiceParts | Promise<ServiceParts>;
}

export interface RunServiceOptions {
  /** Stops the service like SIGTERM does (tests). */
  stop?: AbortSignal;
  /** Signals that stop the service; default SIGTERM and SIGINT. */
  signals?: readonly NodeJS.Signals[];
  /** Grace period for closing, after which the service gives up and resolves 1. */
  shutdownTimeoutMs?: number;
  /** Where the logs go instead of stdout (tests read them). */
  logDestination?: DestinationStream;
}

/**
 * Runs a service from start to stop, the same way for every service, and resolves with its
 * exit code; only the entry point (`server.ts`) exits with it.
 *
 * The HTTP server listens first, so `/health` can answer 503 `starting` naming what is
 * missing; then each dependency is awaited with backoff for up to START_TIMEOUT_MS
 * (`waitForDependencies`). A dependency that never comes, a port in use or a bad environment
 * is logged as one clear line and resolves 1. SIGTERM/SIGINT (also during start-up) stop
 * accepting, close the clients and resolve 0; a failure reported through `fail` resolves 1.
 */
export async function runService<C extends BaseServiceConfig>(definition: ServiceDefinition<C>, options: RunServiceOptions = {}): Promise<number> {
  const { name } = definition;
  let config: C;
  try {
    config = definition.loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    createLogger(name, 'info', {}, options.logDestination).fatal({ problems: err.problems }, err.message);
    return 1;
  }
  const logger = createLogger(name, config.LOG_LEVEL, {}, options.logDestination);
  const startedAt = Date.now();
  const stopping = new AbortController();
  let exitCode = 0;
  const stop = (code: number) => {
    exitCode = Math.max(exitCode, code);
    stopping.abort();
  };
  const dependencies = new DependencyState();
  const parts = await definition.create({
    config,
    logger,
    dependencies,
    fail: (error, message) => {
      if (stopping.signal.aborted) return;
      logger.fatal({ error: describeError(error) }, message);
      stop(1);
    },
  });
  dependencies.expect(parts.waitFor.map((d) => d.dependency));

  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping.signal.aborted) return;
    logger.info({ signal }, 'shutting down');
    stop(0);
  };
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  for (const signal of signals) process.on(signal, onSignal);
  const onStop = () => stop(0);
  options.stop?.addEventListener('abort', onStop, { once: true });

  let server: Server | undefined;
  try {
    server = await serve({ app: parts.app, port: config.PORT, host: config.HOST });
    logger.info({ port: config.PORT, host: config.HOST, waitingFor: dependencies.waitingFor() }, 'listening');
    await waitForDependencies(parts.waitFor, { state: dependencies, logger, timeoutMs: config.START_TIMEOUT_MS, signal: stopping.signal });
    if (!stopping.signal.aborted) logger.info({ startMs: Date.now() - startedAt }, 'ready');
    await new Promise<void>((resolve) => {
      if (stopping.signal.aborted) resolve();
      else stopping.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } catch (err) {
    if (err instanceof StartupError || err instanceof ListenError) {
      logger.fatal({ error: describeError(err.cause) }, err.message);
      exitCode = 1;
    } else if (!(err instanceof RetryAbortedError)) {
      logger.fatal({ err }, 'failed to start');
      exitCode = 1;
    }
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
    options.stop?.removeEventListener('abort', onStop);
  }
  return Math.max(exitCode, await shutdown(server, parts, logger, options.shutdownTimeoutMs ?? 10_000));
}

/** Stops accepting, drops idle keep-alive sockets and closes the clients; 1 if that fails or hangs. */
async function shutdown(server: Server | undefined, parts: ServiceParts, logger: Logger, timeoutMs: number): Promise<number> {
  server?.close();
  server?.closeAllConnections();
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  try {
    const outcome = await Promise.race([parts.close().then(() => 'closed' as const), timedOut]);
    if (outcome === 'timeout') {
      logger.error({ timeoutMs }, 'shutdown timed out');
      return 1;
    }
    logger.info('stopped');
    return 0;
  } catch (err) {
    logger.error({ err }, 'error while closing');
    return 1;
  } finally {
    clearTimeout(timer);
  }
}
