import { ConfigError, createLogger, serve } from '@oms/service-kit';
import pg from 'pg';
import { createApp } from './app.js';
import { loadConfig, type OrdersGraphConfig } from './config.js';
import { ensureDatabase, migrate, type PgConnection } from './data/migrate.js';
import { PgOrderRepository } from './data/order-repository.js';

const config = loadConfigOrExit();
const logger = createLogger('orders-graph', config.LOG_LEVEL);
const conn: PgConnection = {
  host: config.PG_HOST,
  port: config.PG_PORT,
  user: config.PG_USER,
  password: config.PG_PASSWORD,
  database: config.PG_DATABASE,
};
const pool = new pg.Pool({ ...conn, max: 10, connectionTimeoutMillis: 5_000 });
// An idle client losing its connection emits here; unhandled, it would crash the process.
pool.on('error', (err) => logger.warn({ err }, 'idle PostgreSQL connection failed'));

try {
  if (await ensureDatabase(conn)) logger.info({ database: conn.database }, 'database created');
  await migrate(pool, logger);
  logger.info({ database: conn.database }, 'schema ready');
} catch (err) {
  logger.fatal({ err, host: conn.host, port: conn.port, database: conn.database }, 'could not prepare the PostgreSQL read model');
  await pool.end();
  process.exit(1);
}

await serve({
  app: createApp({ logger, orders: new PgOrderRepository(pool) }),
  port: config.PORT,
  host: config.HOST,
  logger,
  close: () => pool.end(),
});

/** A bad environment is an operator mistake: one clear message listing every problem, no stack. */
function loadConfigOrExit(): OrdersGraphConfig {
  try {
    return loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    createLogger('orders-graph').fatal({ problems: err.problems }, err.message);
    process.exit(1);
  }
}
