import { randomUUID } from 'node:crypto';
import { runService } from '@oms/service-kit';
import { backgroundFollower } from '@oms/service-kit/kafka';
import type { Redis } from 'ioredis';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { HttpSkuCatalogue } from './data/http-sku-catalogue.js';
import { createRedisClient, whenConnected } from './data/redis.js';
import { RedisInventoryStore } from './data/redis-inventory-store.js';
import { RedisLease } from './data/redis-lease.js';
import { RedisOutbox } from './data/redis-outbox.js';
import { startExpirySweeper, type ExpirySweeper } from './domain/expiry-sweeper.js';
import { Inventory } from './domain/inventory-service.js';
import { startOutboxPublisher, type OutboxPublisher } from './domain/outbox-publisher.js';
import { KafkaChangeSink } from './kafka/change-sink.js';
import { OrderFollower } from './kafka/order-follower.js';

/** QUIT needs a connection (ioredis would wait for a reconnect); without one there is nothing to flush. */
async function closeRedis(client: Redis): Promise<void> {
  if (client.status === 'ready') await client.quit();
  else client.disconnect();
}

// The entry point: service-kit runs the service (listen, wait for Redis, serve, shut down) and
// says how it ended; only this file exits. Kafka is not a dependency of the API: the outbox
// publisher and the order follower start once Redis answers and keep trying while Kafka is down.
const exitCode = await runService({
  name: 'inventory',
  loadConfig,
  create: ({ config, logger, dependencies, fail }) => {
    const redis = createRedisClient(config.REDIS_URL, logger);
    // The publisher waits for new outbox entries with a blocking read: on a connection of its
    // own, so requests never queue behind it.
    const publisherLogger = logger.child({ component: 'outbox-publisher' });
    const publisherRedis = createRedisClient(config.REDIS_URL, publisherLogger);
    const store = new RedisInventoryStore(redis, { prefix: config.REDIS_KEY_PREFIX });
    const inventory = new Inventory({ store, catalogue: new HttpSkuCatalogue({ productsUrl: config.PRODUCTS_URL }), reservationTtlMs: config.RESERVATION_TTL_MS });
    let sweeper: ExpirySweeper | undefined;
    let publisher: OutboxPublisher | undefined;
    const follower = new OrderFollower({
      brokers: config.KAFKA_BROKERS,
      groupId: config.ORDERS_GROUP_ID,
      topic: config.ORDER_TOPIC,
      inventory,
      logger,
      onFatal: (err) => fail(err, 'the order follower stopped for good'),
    });
    const following = backgroundFollower(follower, {
      topic: config.ORDER_TOPIC,
      logger,
      waiting: 'cannot follow the order topic yet; confirms and releases wait, retrying',
      fail: (err) => fail(err, 'the order follower could not start'),
    });
    return {
      app: createApp({ inventory, logger, dependencies, orderFollower: follower, health: [{ name: 'redis', check: () => redis.ping() }] }),
      waitFor: [
        {
          dependency: 'redis',
          target: `Redis at ${config.REDIS_URL}`,
          prepare: async (signal) => {
            await whenConnected(redis, signal);
            await redis.ping();
            // Started once Redis answers, so a start before Redis is up logs no failed sweep.
            sweeper ??= startExpirySweeper({ expireDue: (limit) => inventory.expireDue(limit), logger, intervalMs: config.SWEEP_INTERVAL_MS });
            // Kafka is not a dependency of the API (a reservation never waits for it, /health does
            // not ask it): while Kafka is down, stock changes wait in the outbox, published once it is back.
            publisher ??= startOutboxPublisher({
              outbox: new RedisOutbox(publisherRedis, store.keys.outbox),
              lease: new RedisLease(publisherRedis, { key: store.keys.outboxLease, owner: randomUUID(), ttlMs: config.OUTBOX_LEASE_MS }),
              sink: new KafkaChangeSink({
                brokers: config.KAFKA_BROKERS,
                topic: config.INVENTORY_TOPIC,
                // Shared by every instance of this inventory: the fence behind the lease.
                transactionalId: `inventory-outbox:${config.REDIS_KEY_PREFIX}${config.INVENTORY_TOPIC}`,
                logger,
              }),
              logger: publisherLogger,
              batchIntervalMs: config.OUTBOX_BATCH_INTERVAL_MS,
            });
            following.start();
          },
        },
      ],
      close: async () => {
        await Promise.all([sweeper?.stop(), publisher?.stop(), following.stop()]);
        await Promise.all([closeRedis(redis), closeRedis(publisherRedis)]);
      },
    };
  },
});
process.exit(exitCode);
