import { runService } from '@oms/service-kit';
import { createMysqlPool, mysqlDependency, mysqlTarget } from '@oms/service-kit/mysql';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { CUSTOMERS_MIGRATIONS } from './data/database.js';

// The entry point: service-kit runs the service (listen, wait for MariaDB, serve, shut down)
// and says how it ended; only this file exits.
const exitCode = await runService({
  name: 'customers',
  loadConfig,
  create: ({ config, logger, dependencies }) => {
    const target = mysqlTarget(config);
    const pool = createMysqlPool(target);
    return {
      app: createApp({ pool, logger, dependencies }),
      waitFor: [mysqlDependency(target, pool, CUSTOMERS_MIGRATIONS, logger)],
      close: () => pool.end(),
    };
  },
});
process.exit(exitCode);
