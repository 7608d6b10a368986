import { createBaseApp, finishApp, type Logger } from '@oms/service-kit';
import type { Express } from 'express';
import type { OrderRepository } from './data/order-repository.js';
import { graphqlRoutes } from './routes/graphql.js';

/** What the orders-graph app needs; tests pass a repository over a throw-away database. */
export interface OrdersGraphAppDeps {
  logger: Logger;
  orders: OrderRepository;
}

/** Builds the orders-graph HTTP app. Never listens: `server.ts` (or a test) does. */
export function createApp({ logger, orders }: OrdersGraphAppDeps): Express {
  const app = createBaseApp({ logger, health: [{ name: 'postgres', check: () => orders.ping() }] });
  app.use(graphqlRoutes(orders, logger));
  return finishApp(app, logger);
}
