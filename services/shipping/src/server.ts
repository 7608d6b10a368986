import { runService } from '@oms/service-kit';
import { createPgPool, pgConnection, pgDependency } from '@oms/service-kit/pg';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { SHIPPING_MIGRATIONS } from './data/database.js';
import { PgShipmentStore } from './data/pg-shipment-store.js';

// The entry point: service-kit runs the service (listen, wait for PostgreSQL, serve, shut
// down) and says how it ended; only this file exits.
const exitCode = await runService({
  name: 'shipping',
  loadConfig,
  create: ({ config, logger, dependencies }) => {
    const conn = pgConnection(config);
    const pool = createPgPool(conn, logger, { applicationName: 'shipping' });
    return {
      app: createApp({ logger, store: new PgShipmentStore(pool), dependencies }),
      waitFor: [pgDependency(conn, pool, SHIPPING_MIGRATIONS, logger)],
      close: () => pool.end(),
    };
  },
});
process.exit(exitCode);
