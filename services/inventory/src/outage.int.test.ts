import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { fetchJson, itRidesThroughAnOutage } from '../../../test/ride-through.js';

const infra = testInfra();
const redis = new URL(infra.redisUrl);
const run = `${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;

describe('inventory while Redis restarts', () => {
  itRidesThroughAnOutage({
    entry: new URL('../dist/server.js', import.meta.url),
    dependency: 'redis',
    server: { host: redis.hostname, port: Number(redis.port) },
    env: (port) => ({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      // Keys, topics and groups of this run only: the shared servers outlive it.
      REDIS_KEY_PREFIX: `inventory-outage-${run}:`,
      KAFKA_BROKERS: infra.kafkaBrokers.join(','),
      INVENTORY_TOPIC: `inventory-outage-${run}`,
      ORDER_TOPIC: `order-outage-${run}`,
      ORDERS_GROUP_ID: `inventory-outage-${run}`,
      PRODUCTS_URL: 'http://127.0.0.1:1',
      LOG_LEVEL: 'info',
    }),
    // A reservation nobody made: a 404 is Redis answering "no such reservation".
    request: (url) => fetchJson(`${url}/reservations/${randomUUID()}`),
    served: (answer) => answer.status === 404,
  });
});
