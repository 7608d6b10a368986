import { createBaseApp, finishApp, type DependencyState, type Logger } from '@oms/service-kit';
import { serveApiDocs } from '@oms/service-kit/openapi';
import type { Express } from 'express';
import type { Pool } from 'mysql2/promise';
import { MysqlOrderRepository } from './data/order-repository.js';
import type { ReferenceChecker, StockReservations } from './domain/place-order.js';
import { ordersApi } from './routes/openapi.js';
import { ordersRouter } from './routes/orders.js';

/** What the orders app needs from the outside world. */
export interface OrdersAppDeps {
  pool: Pool;
  logger: Logger;
  /** Normally an HttpReferenceChecker on the customers and products services. */
  references: ReferenceChecker;
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
 * 503, but this service is still up and can serve reads and cancel orders.
 */
export function createApp({ pool, logger, references, stock, dependencies, now, newId, afterReserve }: OrdersAppDeps): Express {
  const app = createBaseApp({
    logger,
    dependencies,
    health: [{ name: 'mariadb', check: () => pool.query('SELECT 1') }],
  });
  app.use(ordersRouter({ references, stock, orders: new MysqlOrderRepository(pool), now, newId, afterReserve }));
  serveApiDocs(app, ordersApi());
  return finishApp(app, logger);
}
