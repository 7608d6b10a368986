import { createLogger, runMain, serve } from '@oms/service-kit';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { HttpSkuCatalogue } from './data/http-sku-catalogue.js';
import { createRedisClient } from './data/redis.js';
import { RedisInventoryStore } from './data/redis-inventory-store.js';
import { startExpirySweeper, type ExpirySweeper } from './domain/expiry-sweeper.js';
import { Inventory } from './domain/inventory-service.js';

runMain('inventory', async () => {
  const config = loadConfig();
  const logger = createLogger('inventory', config.LOG_LEVEL);
  const redis = createRedisClient(config.REDIS_URL, logger);
  const store = new RedisInventoryStore(redis, { prefix: config.REDIS_KEY_PREFIX });
  const catalogue = new HttpSkuCatalogue({ productsUrl: config.PRODUCTS_URL });
  const inventory = new Inventory({ store, catalogue, reservationTtlMs: config.RESERVATION_TTL_MS });
  // Sweeping starts with the first connection, so a start before Redis is up logs no failed sweep.
  let sweeper: ExpirySweeper | undefined;
  redis.once('ready', () => {
    sweeper = startExpirySweeper({ expireDue: (limit) => inventory.expireDue(limit), logger, intervalMs: config.SWEEP_INTERVAL_MS });
  });
  const app = createApp({ inventory, logger, health: [{ name: 'redis', check: () => redis.ping() }] });
  await serve({
    app,
    port: config.PORT,
    host: config.HOST,
    logger,
    close: async () => {
      await sweeper?.stop();
      // QUIT needs a connection (ioredis would wait for a reconnect); without one there is nothing to flush.
      if (redis.status === 'ready') await redis.quit();
      else redis.disconnect();
    },
  });
});
