import { createLogger, runMain, serve } from '@oms/service-kit';
import { mysqlTarget, openMysql } from '@oms/service-kit/mysql';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { CUSTOMERS_DDL } from './data/database.js';

runMain('customers', async () => {
  const config = loadConfig();
  const logger = createLogger('customers', config.LOG_LEVEL);
  const pool = await openMysql(mysqlTarget(config), CUSTOMERS_DDL, logger);
  await serve({ app: createApp({ pool, logger }), port: config.PORT, host: config.HOST, logger, close: () => pool.end() });
});
