import { setTimeout as sleep } from 'node:timers/promises';
import { runService } from '@oms/service-kit';
import { createMysqlPool, mysqlDependency, mysqlTarget } from '@oms/service-kit/mysql';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { ORDERS_MIGRATIONS } from './data/database.js';
import { HttpReferenceChecker } from './data/http-reference-checker.js';
import { HttpStockReservations } from './data/http-stock-reservations.js';

// The entry point: service-kit runs the service (listen, wait for MariaDB, serve, shut down)
// and says how it ended; only this file exits. customers, products and the inventory are not
// waited for: while they are down, POST /orders answers 503 naming them and reads still work.
const exitCode = await runService({
  name: 'orders',
  loadConfig,
  create: ({ config, logger, dependencies }) => {
    const target = mysqlTarget(config);
    const pool = createMysqlPool(target);
    const references = new HttpReferenceChecker({ customersUrl: config.CUSTOMERS_URL, productsUrl: config.PRODUCTS_URL });
    const stock = new HttpStockReservations({ inventoryUrl: config.INVENTORY_URL });
    const pause = config.TEST_PAUSE_AFTER_RESERVE_MS;
    if (pause > 0) logger.warn({ pauseMs: pause }, 'TEST_PAUSE_AFTER_RESERVE_MS is set: every order waits between its reservation and its write (a test hook)');
    return {
      app: createApp({ pool, logger, references, stock, dependencies, ...(pause > 0 ? { afterReserve: () => sleep(pause) } : {}) }),
      waitFor: [mysqlDependency(target, pool, ORDERS_MIGRATIONS, logger)],
      close: () => pool.end(),
    };
  },
});
process.exit(exitCode);
