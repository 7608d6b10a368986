import { randomUUID } from 'node:crypto';
import { createLogger, runMain, serve } from '@oms/service-kit';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { HttpSkuCatalogue } from './data/http-sku-catalogue.js';
import { createRedisClient } from './data/redis.js';
import { RedisInventoryStore } from './data/redis-inventory-store.js';
import { RedisLease } from './data/redis-lease.js';
import { RedisOutbox } from './data/redis-outbox.js';
import { startExpirySweeper, type ExpirySweeper } from './domain/expiry-sweeper.js';
import { Inventory } from './domain/inventory-service.js';
import { startOutboxPublisher, type OutboxPublisher } from './domain/outbox-publisher.js';
import { KafkaChangeSink } from './kafka/change-sink.js';

runMain('inventory', async () => {
  const config = loadConfig();
  const logger = createLogger('inventory', config.LOG_LEVEL);
  const redis = createRedisClient(config.REDIS_URL, logger);
  // The publisher waits for new outbox entries with a blocking read: on a connection of its own,
  // so requests never queue behind it.
  const publisherRedis = createRedisClient(config.REDIS_URL, logger.child({ component: 'outbox-publisher' }));
  const store = new RedisInventoryStore(redis, { prefix: config.REDIS_KEY_PREFIX });
  const catalogue = new HttpSkuCatalogue({ productsUrl: config.PRODUCTS_URL });
  const inventory = new Inventory({ store, catalogue, reservationTtlMs: config.RESERVATION_TTL_MS });
  // Sweeping starts with the first connection, so a start before Redis is up logs no failed sweep.
  let sweeper: ExpirySweeper | undefined;
  redis.once('ready', () => {
    sweeper = startExpirySweeper({ expireDue: (limit) => inventory.expireDue(limit), logger, intervalMs: config.SWEEP_INTERVAL_MS });
  });
  // Kafka is not a dependency of the API (a reservation never waits for it, /health does not ask
  // it): while Kafka is down, stock changes wait in the outbox and are published once it is back.
  let publisher: OutboxPublisher | undefined;
  publisherRedis.once('ready', () => {
    publisher = startOutboxPublisher({
      outbox: new RedisOutbox(publisherRedis, store.keys.outbox),
      lease: new RedisLease(publisherRedis, { key: store.keys.outboxLease, owner: randomUUID(), ttlMs: config.OUTBOX_LEASE_MS }),
      sink: new KafkaChangeSink({
        brokers: config.KAFKA_BROKERS,
        topic: config.INVENTORY_TOPIC,
        // Every instance of this inventory shares it: the fence behind the lease.
        transactionalId: `inventory-outbox:${config.REDIS_KEY_PREFIX}${config.INVENTORY_TOPIC}`,
        logger,
      }),
      logger: logger.child({ component: 'outbox-publisher' }),
    });
  });
  const app = createApp({ inventory, logger, health: [{ name: 'redis', check: () => redis.ping() }] });
  await serve({
    app,
    port: config.PORT,
    host: config.HOST,
    logger,
    close: async () => {
      await Promise.all([sweeper?.stop(), publisher?.stop()]);
      // QUIT needs a connection (ioredis would wait for a reconnect); without one there is nothing to flush.
      for (const client of [redis, publisherRedis]) {
        if (client.status === 'ready') await client.quit();
        else client.disconnect();
      }
    },
  });
});
