import { createBaseApp, finishApp, type DependencyState, type Logger } from '@oms/service-kit';
import { serveApiDocs } from '@oms/service-kit/openapi';
import type { Express } from 'express';
import type { MysqlPool } from '@oms/service-kit/mysql';
import { MysqlOrderRepository } from './data/order-repository.js';
import type { ReferenceChecker, StockReservations } from './domain/place-order.js';
import type { ReferencesHealth } from './kafka/reference-view.js';
import { ordersApi } from './routes/openapi.js';
import { ordersRouter } from './routes/orders.js';

/** What the orders app needs from the outside world. */
export interface OrdersAppDeps {
  pool: MysqlPool;
  logger: Logger;
  /** Normally a ViewReferenceChecker over the reference view, asking the services on a miss. */
  references: ReferenceChecker;
  /** The reference view's state for `GET /health/references`; absent in tests without Kafka. */
  referencesHealth?: () => ReferencesHealth;
  /** Normally an HttpStockReservations on the inventory service. */
  stock: StockReservations;
  /** The start-up state `/health` reports (server.ts); absent, the app counts as started. */
  dependencies?: DependencyState;
  now?: () => Date;
  newId?: () => string;
  /** A test hook between the reservation and the write (see PlaceOrderDeps). */
  afterReserve?: () => Promise<void>;
}

/**
 * Builds the orders express app. Never listens: server.ts (or a test) does. `/health` checks
 * MariaDB only: customers, products or the inventory being down makes POST /orders answer
 * 503, but this service is still up and can serve reads and cancel orders. The reference
 * view (Kafka) is at `/health/references` and never counts against `/health`.
 */
export function createApp({ pool, logger, references, referencesHealth, stock, dependencies, now, newId, afterReserve }: OrdersAppDeps): Express {
  const app = createBaseApp({
    logger,
    dependencies,
    health: [{ name: 'mariadb', check: () => pool.query('SELECT 1') }],
  });
  app.use(ordersRouter({ references, stock, orders: new MysqlOrderRepository(pool), now, newId, afterReserve }));
  if (referencesHealth) {
    app.get('/health/references', (_req, res) => {
      const health = referencesHealth();
      res.status(health.status === 'loaded' ? 200 : 503).json(health);
    });
  }
  serveApiDocs(app, ordersApi({ references: referencesHealth !== undefined }));
  return finishApp(app, logger);
}
