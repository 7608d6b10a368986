import { createBaseApp, finishApp, type DependencyState, type Logger } from '@oms/service-kit';
import { serveApiDocs } from '@oms/service-kit/openapi';
import type { Express } from 'express';
import type { MysqlPool } from '@oms/service-kit/mysql';
import { CustomerRepository, type CustomerRepositoryOptions } from './data/customer-repository.js';
import { customersRouter } from './routes/customers.js';
import { customersApi } from './routes/openapi.js';

/** What the customers app needs from the outside world; tests pass a pool on a test database. */
export interface CustomersAppDeps {
  pool: MysqlPool;
  logger: Logger;
  /** The start-up state `/health` reports (server.ts); absent, the app counts as started. */
  dependencies?: DependencyState;
  /** Clock and id source, injectable for tests. */
  repository?: CustomerRepositoryOptions;
}

/** Builds the customers express app. Never listens: server.ts (or a test) does. */
export function createApp({ pool, logger, dependencies, repository }: CustomersAppDeps): Express {
  const app = createBaseApp({
    logger,
    dependencies,
    health: [{ name: 'mariadb', check: () => pool.query('SELECT 1') }],
  });
  app.use(customersRouter(new CustomerRepository(pool, repository)));
  serveApiDocs(app, customersApi());
  return finishApp(app, logger);
}
