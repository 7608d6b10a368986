import { refusedVariables } from '@oms/service-kit/testing';
import { describe, expect, it } from 'vitest';
import { itReadsItsEnvironment } from '../../../test/service-config.js';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  itReadsItsEnvironment({
    load: loadConfig,
    defaults: {
      PORT: 3005,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: 'inventory:',
      PRODUCTS_URL: 'http://127.0.0.1:3002',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      INVENTORY_TOPIC: 'inventory',
      ORDER_TOPIC: 'order',
      ORDERS_GROUP_ID: 'inventory-orders',
      OUTBOX_LEASE_MS: 10_000,
      OUTBOX_BATCH_INTERVAL_MS: 100,
      RESERVATION_TTL_MS: 300_000,
      SWEEP_INTERVAL_MS: 5000,
    },
    malformed: { REDIS_URL: 'http://127.0.0.1:6379', RESERVATION_TTL_MS: '10', PORT: 'x', KAFKA_BROKERS: 'kafka', OUTBOX_LEASE_MS: '100', OUTBOX_BATCH_INTERVAL_MS: '5000' },
  });

  it('when the order topic or its group are malformed, then each is named', () => {
    expect(refusedVariables(loadConfig, { ORDER_TOPIC: 'an order', ORDERS_GROUP_ID: '' })).toEqual(expect.arrayContaining(['ORDER_TOPIC', 'ORDERS_GROUP_ID']));
  });

  it('when several brokers are given, then they are a list', () => {
    expect(loadConfig({ KAFKA_BROKERS: ' kafka-1:9092, kafka-2:9092 ' }).KAFKA_BROKERS).toEqual(['kafka-1:9092', 'kafka-2:9092']);
  });
});
