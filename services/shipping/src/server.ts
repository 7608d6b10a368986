import { createLogger, runMain, serve } from '@oms/service-kit';
import pg from 'pg';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { ensureDatabase, migrate, type PgConnection } from './data/database.js';
import { PgShipmentStore } from './data/pg-shipment-store.js';

runMain('shipping', async () => {
  const config = loadConfig();
  const logger = createLogger('shipping', config.LOG_LEVEL);
  const conn: PgConnection = { host: config.PG_HOST, port: config.PG_PORT, user: config.PG_USER, password: config.PG_PASSWORD, database: config.PG_DATABASE };
  if (await ensureDatabase(conn)) logger.info({ database: conn.database }, 'database created');
  // application_name: pg_stat_activity shows which connections (and open transactions) are ours.
  const pool = new pg.Pool({ ...conn, max: 10, connectionTimeoutMillis: 5_000, application_name: 'shipping' });
  // An idle client losing its connection emits here; unhandled, it would crash the process.
  pool.on('error', (err) => logger.warn({ err }, 'idle PostgreSQL connection failed'));
  await migrate(pool);
  logger.info({ database: conn.database }, 'schema ready');
  await serve({ app: createApp({ logger, store: new PgShipmentStore(pool) }), port: config.PORT, host: config.HOST, logger, close: () => pool.end() });
});
