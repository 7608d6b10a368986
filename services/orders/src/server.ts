import { runService } from '@oms/service-kit';
import { createMysqlPool, mysqlDependency, mysqlTarget } from '@oms/service-kit/mysql';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { ORDERS_MIGRATIONS } from './data/database.js';
import { HttpReferenceChecker } from './data/http-reference-checker.js';

// The entry point: service-kit runs the service (listen, wait for MariaDB, serve, shut down)
// and says how it ended; only this file exits. customers and products are not waited for:
// while they are down, POST /orders answers 503 naming them and reads still work.
const exitCode = await runService({
  name: 'orders',
  loadConfig,
  create: ({ config, logger, dependencies }) => {
    const target = mysqlTarget(config);
    const pool = createMysqlPool(target);
    const references = new HttpReferenceChecker({ customersUrl: config.CUSTOMERS_URL, productsUrl: config.PRODUCTS_URL });
    return {
      app: createApp({ pool, logger, references, dependencies }),
      waitFor: [mysqlDependency(target, pool, ORDERS_MIGRATIONS, logger)],
      close: () => pool.end(),
    };
  },
});
process.exit(exitCode);
