import { createLogger, runMain, serve } from '@oms/service-kit';
import { mysqlTarget, openMysql } from '@oms/service-kit/mysql';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { ORDERS_DDL } from './data/database.js';
import { HttpReferenceChecker } from './data/http-reference-checker.js';

runMain('orders', async () => {
  const config = loadConfig();
  const logger = createLogger('orders', config.LOG_LEVEL);
  const pool = await openMysql(mysqlTarget(config), ORDERS_DDL, logger);
  const references = new HttpReferenceChecker({ customersUrl: config.CUSTOMERS_URL, productsUrl: config.PRODUCTS_URL });
  await serve({ app: createApp({ pool, logger, references }), port: config.PORT, host: config.HOST, logger, close: () => pool.end() });
});
