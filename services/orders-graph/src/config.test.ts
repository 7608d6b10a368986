import { describe } from 'vitest';
import { itReadsItsEnvironment } from '../../../test/service-config.js';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  itReadsItsEnvironment({
    load: loadConfig,
    defaults: {
      PORT: 4000,
      PG_HOST: '127.0.0.1',
      PG_PORT: 5432,
      PG_USER: 'oms',
      PG_PASSWORD: 'oms',
      PG_DATABASE: 'orders_graph',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      SHIPMENT_EVENTS_TOPIC: 'shipment-events',
      SHIPMENTS_GROUP_ID: 'orders-graph-shipments',
    },
    malformed: { PORT: '70000', PG_PORT: 'x', LOG_LEVEL: 'loud', KAFKA_BROKERS: 'kafka', SHIPMENT_EVENTS_TOPIC: 'shipment events' },
  });
});
