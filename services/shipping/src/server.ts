import { runService, thenStart } from '@oms/service-kit';
import { backgroundFollower } from '@oms/service-kit/kafka';
import { createPgPool, pgConnection, pgDependency } from '@oms/service-kit/pg';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { SHIPPING_MIGRATIONS } from './data/database.js';
import { PgShipmentStore } from './data/pg-shipment-store.js';
import { OrderFollower } from './kafka/order-follower.js';

// The entry point: service-kit runs the service (listen, wait for PostgreSQL, serve, shut
// down) and says how it ended; only this file exits. Kafka is not a dependency of the API: the
// follower of `orders-graph` starts once the event store is migrated and keeps trying while
// Kafka is down.
const exitCode = await runService({
  name: 'shipping',
  loadConfig,
  create: ({ config, logger, dependencies, fail }) => {
    const conn = pgConnection(config);
    const pool = createPgPool(conn, logger, { applicationName: 'shipping' });
    const store = new PgShipmentStore(pool);
    const follower = new OrderFollower({
      brokers: config.KAFKA_BROKERS,
      groupId: config.ORDERS_GROUP_ID,
      topic: config.ORDERS_GRAPH_TOPIC,
      store,
      logger,
      onFatal: (err) => fail(err, 'the order follower stopped for good'),
    });
    const following = backgroundFollower(follower, {
      topic: config.ORDERS_GRAPH_TOPIC,
      logger,
      waiting: 'cannot follow the enriched orders yet; new shipments wait, retrying',
      fail: (err) => fail(err, 'the order follower could not start'),
    });
    const database = pgDependency(conn, pool, SHIPPING_MIGRATIONS, logger);
    return {
      app: createApp({ logger, store, dependencies, orderFollower: follower }),
      // Started once the event store is migrated, so the first record finds its tables.
      waitFor: [thenStart(database, () => following.start())],
      close: async () => {
        await following.stop();
        await pool.end();
      },
    };
  },
});
process.exit(exitCode);
