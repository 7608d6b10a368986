import { createBaseApp, finishApp, withTimeout, type DependencyState, type Logger } from '@oms/service-kit';
import type { Express } from 'express';
import { renderMetrics, type LagSample, type StreamMetrics } from './metrics.js';

/** What the HTTP side needs from the processor; tests pass a stub or a real processor. */
export interface StreamView {
  status(): { lookups: { ready: boolean; detail: string }; consumer: { ready: boolean; detail: string } };
  stats(): { pendingOrders: number; customers: number; addresses: number; products: number };
  lag(): Promise<LagSample[]>;
  readonly metrics: StreamMetrics;
}

export interface OrdersStreamAppDeps {
  logger: Logger;
  stream: StreamView;
  /** The start-up state `/health` reports (server.ts); absent, the app counts as started. */
  dependencies?: DependencyState;
}

const LAG_TIMEOUT_MS = 2_000;

/**
 * `GET /health` (200 only when the lookups are loaded and the order consumer is running; the
 * 503 body says which is not and why) and `GET /metrics` (Prometheus text). Never listens.
 */
export function createApp({ logger, stream, dependencies }: OrdersStreamAppDeps): Express {
  const app = createBaseApp({
    logger,
    dependencies,
    health: [
      { name: 'lookups', check: async () => ready(stream.status().lookups) },
      { name: 'consumer', check: async () => ready(stream.status().consumer) },
    ],
  });
  app.get('/metrics', async (_req, res) => {
    const stats = stream.stats();
    // The lag gauge needs the broker; a slow or absent broker must not fail the whole scrape.
    const lag = await withTimeout(stream.lag(), LAG_TIMEOUT_MS).catch((err: unknown) => {
      logger.debug({ err }, 'consumer lag unavailable');
      return [];
    });
    res
      .type('text/plain; version=0.0.4; charset=utf-8')
      .send(
        renderMetrics({
          eventsIn: stream.metrics.eventsIn,
          ordersOut: stream.metrics.ordersOut,
          dlq: stream.metrics.dlq,
          recoveries: stream.metrics.recoveries,
          pendingOrders: stats.pendingOrders,
          lag,
          lookupEntries: { customer: stats.customers, address: stats.addresses, products: stats.products },
        }),
      );
  });
  return finishApp(app, logger);
}

function ready({ ready, detail }: { ready: boolean; detail: string }): string {
  if (!ready) throw new Error(detail);
  return detail;
}
