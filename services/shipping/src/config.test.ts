import { describe } from 'vitest';
import { itReadsItsEnvironment } from '../../../test/service-config.js';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  itReadsItsEnvironment({
    load: loadConfig,
    defaults: {
      PORT: 3006,
      PG_HOST: '127.0.0.1',
      PG_PORT: 5432,
      PG_USER: 'oms',
      PG_PASSWORD: 'oms',
      PG_DATABASE: 'shipping',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      ORDERS_GRAPH_TOPIC: 'orders-graph',
      ORDERS_GROUP_ID: 'shipping-orders',
    },
    malformed: { PORT: 'x', PG_PORT: '70000', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'kafka', ORDERS_GRAPH_TOPIC: 'an order', ORDERS_GROUP_ID: '' },
  });
});
