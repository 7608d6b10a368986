import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { ConfigError } from './config.js';

export interface ServeOptions {
  app: Express;
  port: number;
  host: string;
  logger: Logger;
  /** Releases clients (pools, consumers) after the HTTP server stopped accepting. */
  close: () => Promise<void>;
  /** Grace period before a forced exit. */
  shutdownTimeoutMs?: number;
}

/**
 * Listens, and on SIGTERM/SIGINT stops accepting, drains, closes dependencies and exits.
 * The only place a service exits; `createApp` never listens.
 */
export async function serve({ app, port, host, logger, close, shutdownTimeoutMs = 10_000 }: ServeOptions): Promise<Server> {
  const server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(port, host);
    s.once('listening', () => resolve(s));
    s.once('error', reject);
  }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') logger.fatal({ port, host }, `port ${port} on ${host} is already in use`);
    else logger.fatal({ err }, 'could not listen');
    process.exit(1);
  });
  logger.info({ port, host }, 'listening');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error('shutdown timed out; exiting');
      process.exit(1);
    }, shutdownTimeoutMs);
    timer.unref();
    server.close();
    server.closeAllConnections?.();
    close()
      .then(() => process.exit(0))
      .catch((err) => {
        logger.error({ err }, 'error while closing');
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  return server;
}

/**
 * Runs a service's `main`; a start-up failure exits 1. A bad environment is the operator's
 * to fix, so it prints the list of problems, not a stack.
 */
export function runMain(service: string, main: () => Promise<unknown>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) console.error(`${service}: ${err.message}`);
    else console.error(`${service}: failed to start:`, err);
    process.exit(1);
  });
}
