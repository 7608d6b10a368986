import { createBaseApp, finishApp, type DependencyState, type Logger } from '@oms/service-kit';
import type { Express } from 'express';
import type { ShipmentStore } from './domain/shipping.js';
import { shipmentsRouter } from './routes/shipments.js';

/** What the shipping app needs; tests pass a store over a throw-away database. */
export interface ShippingAppDeps {
  logger: Logger;
  store: ShipmentStore;
  /** The start-up state `/health` reports (server.ts); absent, the app counts as started. */
  dependencies?: DependencyState;
}

/** Builds the shipping HTTP app. Never listens: `server.ts` (or a test) does. */
export function createApp({ logger, store, dependencies }: ShippingAppDeps): Express {
  const app = createBaseApp({ logger, dependencies, health: [{ name: 'postgres', check: () => store.ping() }] });
  app.use(shipmentsRouter(store));
  return finishApp(app, logger);
}
