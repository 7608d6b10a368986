import { createBaseApp, finishApp, type DependencyState, type Logger } from '@oms/service-kit';
import type { ConsumerHealth } from '@oms/service-kit/kafka';
import type { Express } from 'express';
import type { OrderRepository } from './data/order-repository.js';
import { graphiqlRoutes } from './routes/graphiql.js';
import { graphqlRoutes } from './routes/graphql.js';
import type { GraphqlLimits } from './routes/graphql-limits.js';

/** What the orders-graph app needs; tests pass a repository over a throw-away database. */
export interface OrdersGraphAppDeps {
  logger: Logger;
  orders: OrderRepository;
  /** The start-up state `/health` reports (server.ts); absent, the app counts as started. */
  dependencies?: DependencyState;
  /** What one GraphQL request may ask for; absent, the documented defaults. */
  limits?: GraphqlLimits;
  /** The follower of `shipment-events`, for `GET /health/shipments`; absent in tests without Kafka. */
  shipmentFollower?: { readonly ready: boolean; health(): ConsumerHealth };
}

/** Builds the orders-graph HTTP app. Never listens: `server.ts` (or a test) does. */
export function createApp({ logger, orders, dependencies, limits, shipmentFollower }: OrdersGraphAppDeps): Express {
  const app = createBaseApp({ logger, dependencies, health: [{ name: 'postgres', check: () => orders.ping() }] });
  // Not part of /health: Kafka being down delays shipments in the read model, never a query.
  if (shipmentFollower) app.get('/health/shipments', (_req, res) => void res.status(shipmentFollower.ready ? 200 : 503).json(shipmentFollower.health()));
  // Before graphql-http: a browser's GET /graphql gets GraphiQL, everything else goes on.
  app.use(graphiqlRoutes());
  app.use(graphqlRoutes(orders, logger, limits));
  return finishApp(app, logger);
}
