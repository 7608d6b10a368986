import { createBaseApp, finishApp, type DependencyState, type HealthCheck, type Logger } from '@oms/service-kit';
import type { ConsumerHealth } from '@oms/service-kit/kafka';
import { serveApiDocs } from '@oms/service-kit/openapi';
import type { Express } from 'express';
import type { Inventory } from './domain/inventory-service.js';
import { inventoryRouter } from './routes/inventory.js';
import { inventoryApi } from './routes/openapi.js';
import { reservationsRouter } from './routes/reservations.js';

/** What the inventory app needs from the outside world. */
export interface InventoryAppDeps {
  inventory: Inventory;
  logger: Logger;
  /** Normally Redis' PING. The products service is not one: only restocks need it. */
  health: HealthCheck[];
  /** The start-up state (see service-kit's runService); absent in tests that start ready. */
  dependencies?: DependencyState;
  /** The follower of the `order` topic, for `GET /health/orders`; absent in tests without Kafka. */
  orderFollower?: { readonly ready: boolean; health(): ConsumerHealth };
}

/**
 * Builds the inventory express app. Never listens: server.ts (or a test) does. The follower of
 * the `order` topic is not in `/health` (Kafka being down delays confirms, never a reservation);
 * its state, lag and counters — `oversold` among them — are at `GET /health/orders`.
 */
export function createApp({ inventory, logger, health, dependencies, orderFollower }: InventoryAppDeps): Express {
  // A 503 says when to come back: Redis restarts in about a second.
  const app = createBaseApp({ logger, health, retryAfterSeconds: 1, ...(dependencies ? { dependencies } : {}) });
  if (orderFollower) app.get('/health/orders', (_req, res) => void res.status(orderFollower.ready ? 200 : 503).json(orderFollower.health()));
  app.use(inventoryRouter(inventory));
  app.use(reservationsRouter(inventory));
  serveApiDocs(app, inventoryApi({ orderFollower: orderFollower !== undefined }));
  return finishApp(app, logger);
}
