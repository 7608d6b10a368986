import { runService } from '@oms/service-kit';
import { createPgPool, pgConnection, pgDependency } from '@oms/service-kit/pg';
import { createApp } from './app.js';
import { graphqlLimits, loadConfig } from './config.js';
import { ORDERS_GRAPH_MIGRATIONS } from './data/migrate.js';
import { PgOrderRepository } from './data/order-repository.js';

// The entry point: service-kit runs the service (listen, wait for PostgreSQL, serve, shut
// down) and says how it ended; only this file exits.
const exitCode = await runService({
  name: 'orders-graph',
  loadConfig,
  create: ({ config, logger, dependencies }) => {
    const conn = pgConnection(config);
    const limits = graphqlLimits(config);
    // No statement outlives the request it serves (the request's own limit is the same).
    const pool = createPgPool(conn, logger, { applicationName: 'orders-graph', statementTimeoutMs: limits.timeoutMs });
    return {
      app: createApp({ logger, orders: new PgOrderRepository(pool), dependencies, limits }),
      waitFor: [pgDependency(conn, pool, ORDERS_GRAPH_MIGRATIONS, logger)],
      close: () => pool.end(),
    };
  },
});
process.exit(exitCode);
