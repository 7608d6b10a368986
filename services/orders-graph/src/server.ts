import { runService, thenStart } from '@oms/service-kit';
import { backgroundFollower } from '@oms/service-kit/kafka';
import { createPgPool, pgConnection, pgDependency } from '@oms/service-kit/pg';
import { createApp } from './app.js';
import { graphqlLimits, loadConfig } from './config.js';
import { ORDERS_GRAPH_MIGRATIONS } from './data/migrate.js';
import { PgOrderRepository } from './data/order-repository.js';
import { ShipmentFollower } from './kafka/shipment-follower.js';

// The entry point: service-kit runs the service (listen, wait for PostgreSQL, serve, shut
// down) and says how it ended; only this file exits. Kafka is not a dependency of the API: the
// follower of `shipment-events` starts once the read model is migrated and keeps trying while
// Kafka is down.
const exitCode = await runService({
  name: 'orders-graph',
  loadConfig,
  create: ({ config, logger, dependencies, fail }) => {
    const conn = pgConnection(config);
    const limits = graphqlLimits(config);
    // No statement outlives the request it serves (the request's own limit is the same).
    const pool = createPgPool(conn, logger, { applicationName: 'orders-graph', statementTimeoutMs: limits.timeoutMs });
    const follower = new ShipmentFollower({
      brokers: config.KAFKA_BROKERS,
      groupId: config.SHIPMENTS_GROUP_ID,
      topic: config.SHIPMENT_EVENTS_TOPIC,
      pool,
      logger,
      onFatal: (err) => fail(err, 'the shipment follower stopped for good'),
    });
    const following = backgroundFollower(follower, {
      topic: config.SHIPMENT_EVENTS_TOPIC,
      logger,
      waiting: 'cannot follow the shipment events yet; shipments in the read model wait, retrying',
      fail: (err) => fail(err, 'the shipment follower could not start'),
    });
    const database = pgDependency(conn, pool, ORDERS_GRAPH_MIGRATIONS, logger);
    return {
      app: createApp({ logger, orders: new PgOrderRepository(pool), dependencies, limits, shipmentFollower: follower }),
      // Started once the read model is migrated, so the first event finds its table.
      waitFor: [thenStart(database, () => following.start())],
      close: async () => {
        await following.stop();
        await pool.end();
      },
    };
  },
});
process.exit(exitCode);
