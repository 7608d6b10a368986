import { ConfigError, createLogger, serve } from '@oms/service-kit';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { createPool, ensureDatabase, migrate, type MysqlTarget } from './data/database.js';
import { HttpReferenceChecker } from './data/http-reference-checker.js';

// `oms up` may start the service while MariaDB is still booting; wait this long for it.
const DATABASE_WAIT_MS = 30_000;

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger('orders', config.LOG_LEVEL);
  const target: MysqlTarget = {
    host: config.MYSQL_HOST,
    port: config.MYSQL_PORT,
    user: config.MYSQL_USER,
    password: config.MYSQL_PASSWORD,
    database: config.MYSQL_DATABASE,
  };
  try {
    await ensureDatabase(target, { waitMs: DATABASE_WAIT_MS });
  } catch (err) {
    logger.fatal({ err, host: target.host, port: target.port }, `cannot reach MariaDB at ${target.host}:${target.port}`);
    process.exit(1);
  }
  const pool = createPool(target);
  await migrate(pool);
  logger.info({ database: target.database }, 'schema ready');
  const references = new HttpReferenceChecker({ customersUrl: config.CUSTOMERS_URL, productsUrl: config.PRODUCTS_URL });
  await serve({ app: createApp({ pool, logger, references }), port: config.PORT, host: config.HOST, logger, close: () => pool.end() });
}

main().catch((err: unknown) => {
  // Config problems are the operator's to fix: print the list, not a stack.
  if (err instanceof ConfigError) console.error(`orders: ${err.message}`);
  else console.error('orders: failed to start:', err);
  process.exit(1);
});
