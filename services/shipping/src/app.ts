import { createBaseApp, finishApp, type DependencyState, type Logger } from '@oms/service-kit';
import type { ConsumerHealth } from '@oms/service-kit/kafka';
import { serveApiDocs } from '@oms/service-kit/openapi';
import type { Express } from 'express';
import type { ShipmentStore } from './domain/shipping.js';
import { shippingApi } from './routes/openapi.js';
import { shipmentsRouter } from './routes/shipments.js';

/** What the shipping app needs; tests pass a store over a throw-away database. */
export interface ShippingAppDeps {
  logger: Logger;
  store: ShipmentStore;
  /** The start-up state `/health` reports (server.ts); absent, the app counts as started. */
  dependencies?: DependencyState;
  /** The follower of `orders-graph`, for `GET /health/orders`; absent in tests without Kafka. */
  orderFollower?: { readonly ready: boolean; health(): ConsumerHealth };
}

/**
 * Builds the shipping HTTP app. Never listens: `server.ts` (or a test) does. The follower of
 * `orders-graph` is not in `/health` (Kafka being down delays new shipments, never a command);
 * its state, lag and counters are at `GET /health/orders`.
 */
export function createApp({ logger, store, dependencies, orderFollower }: ShippingAppDeps): Express {
  const app = createBaseApp({ logger, dependencies, health: [{ name: 'postgres', check: () => store.ping() }] });
  if (orderFollower) app.get('/health/orders', (_req, res) => void res.status(orderFollower.ready ? 200 : 503).json(orderFollower.health()));
  app.use(shipmentsRouter(store));
  serveApiDocs(app, shippingApi({ orderFollower: orderFollower !== undefined }));
  return finishApp(app, logger);
}
