import { ConfigError } from '@oms/service-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('when nothing is set, then the defaults are the documented ports and a five-minute reservation TTL', () => {
    expect(loadConfig({})).toEqual({
      PORT: 3005,
      HOST: '127.0.0.1',
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: 'inventory:',
      PRODUCTS_URL: 'http://127.0.0.1:3002',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      INVENTORY_TOPIC: 'inventory',
      OUTBOX_LEASE_MS: 10_000,
      RESERVATION_TTL_MS: 300_000,
      SWEEP_INTERVAL_MS: 1000,
      LOG_LEVEL: 'info',
      START_TIMEOUT_MS: 180_000,
    });
  });

  it('when variables are malformed, then one error names every one of them', () => {
    let error: unknown;
    try {
      loadConfig({ REDIS_URL: 'http://127.0.0.1:6379', RESERVATION_TTL_MS: '10', PORT: 'x', KAFKA_BROKERS: 'kafka', OUTBOX_LEASE_MS: '100' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((p) => p.split(':')[0])).toEqual(expect.arrayContaining(['PORT', 'REDIS_URL', 'RESERVATION_TTL_MS', 'KAFKA_BROKERS', 'OUTBOX_LEASE_MS']));
  });

  it('when several brokers are given, then they are a list', () => {
    expect(loadConfig({ KAFKA_BROKERS: ' kafka-1:9092, kafka-2:9092 ' }).KAFKA_BROKERS).toEqual(['kafka-1:9092', 'kafka-2:9092']);
  });
});
