import { setTimeout as sleep } from 'node:timers/promises';
import { runService, thenStart } from '@oms/service-kit';
import { backgroundFollower } from '@oms/service-kit/kafka';
import { createMysqlPool, mysqlDependency, mysqlTarget } from '@oms/service-kit/mysql';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { ORDERS_MIGRATIONS } from './data/database.js';
import { HttpReferenceChecker } from './data/http-reference-checker.js';
import { HttpStockReservations } from './data/http-stock-reservations.js';
import { ViewReferenceChecker } from './data/view-reference-checker.js';
import { ReferenceView } from './kafka/reference-view.js';

// The entry point: service-kit runs the service (listen, wait for MariaDB, serve, shut down)
// and says how it ended; only this file exits. customers, products and the inventory are not
// waited for: while they are down, POST /orders answers 503 naming them and reads still work.
// Nor is Kafka: until the reference view is loaded, the checks ask customers and products.
const exitCode = await runService({
  name: 'orders',
  loadConfig,
  create: ({ config, logger, dependencies, fail }) => {
    const target = mysqlTarget(config);
    const pool = createMysqlPool(target);
    const view = new ReferenceView({
      brokers: config.KAFKA_BROKERS,
      topics: { customer: config.CUSTOMER_TOPIC, address: config.ADDRESS_TOPIC, product: config.PRODUCTS_TOPIC },
      logger,
    });
    const references = new ViewReferenceChecker(() => view.tables(), new HttpReferenceChecker({ customersUrl: config.CUSTOMERS_URL, productsUrl: config.PRODUCTS_URL }));
    const following = backgroundFollower(view, {
      topic: [config.CUSTOMER_TOPIC, config.ADDRESS_TOPIC, config.PRODUCTS_TOPIC].join(', '),
      logger,
      waiting: 'cannot read the customer, address and products topics yet; reference checks ask the services, retrying',
      fail: (err) => fail(err, 'the reference view could not start'),
    });
    const database = mysqlDependency(target, pool, ORDERS_MIGRATIONS, logger);
    const stock = new HttpStockReservations({ inventoryUrl: config.INVENTORY_URL });
    const pause = config.TEST_PAUSE_AFTER_RESERVE_MS;
    if (pause > 0) logger.warn({ pauseMs: pause }, 'TEST_PAUSE_AFTER_RESERVE_MS is set: every order waits between its reservation and its write (a test hook)');
    return {
      app: createApp({ pool, logger, references, referencesHealth: () => ({ ...view.health(), checks: references.stats() }), stock, dependencies, ...(pause > 0 ? { afterReserve: () => sleep(pause) } : {}) }),
      // Started once MariaDB answers, as the service's own work starts, never in `create`.
      waitFor: [thenStart(database, () => following.start())],
      close: async () => {
        await following.stop();
        await pool.end();
      },
    };
  },
});
process.exit(exitCode);
