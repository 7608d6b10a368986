import { refusedVariables } from '@oms/service-kit/testing';
import { describe, expect, it } from 'vitest';
import { itReadsItsEnvironment } from '../../../test/service-config.js';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  itReadsItsEnvironment({
    load: loadConfig,
    defaults: {
      PORT: 3002,
      ES_URL: 'http://127.0.0.1:9200',
      ES_INDEX: 'products',
      ES_STOCK_INDEX: 'product-stock',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_GROUP_ID: 'products-indexer',
      TOPIC_PRODUCTS: 'products',
      KAFKA_STOCK_GROUP_ID: 'products-stock',
      TOPIC_INVENTORY: 'inventory',
      INDEXER_ENABLED: true,
      PRODUCT_CACHE_MAX: 10_000,
      PRODUCT_CACHE_TTL_MS: 5_000,
    },
    malformed: { PORT: 'x', ES_URL: 'nope', ES_INDEX: 'Bad Index', PRODUCT_CACHE_MAX: '-1', PRODUCT_CACHE_TTL_MS: '0' },
  });

  it('when several brokers are given, then they are split and trimmed', () => {
    expect(loadConfig({ KAFKA_BROKERS: 'a:9092, b.local:19092' }).KAFKA_BROKERS).toEqual(['a:9092', 'b.local:19092']);
  });

  it.each([
    ['false', false],
    ['0', false],
    ['no', false],
    ['true', true],
    ['1', true],
  ])('when INDEXER_ENABLED is %s, then the indexer is %s', (value, enabled) => {
    expect(loadConfig({ INDEXER_ENABLED: value }).INDEXER_ENABLED).toBe(enabled);
  });

  it('when the stock indexer variables are bad, then each is named', () => {
    const refused = refusedVariables(loadConfig, { ES_STOCK_INDEX: 'Stock', TOPIC_INVENTORY: 'in ventory', KAFKA_STOCK_GROUP_ID: '' });
    expect(refused).toEqual(expect.arrayContaining(['ES_STOCK_INDEX', 'TOPIC_INVENTORY', 'KAFKA_STOCK_GROUP_ID']));
  });

  it('when the indexer variables are bad, then each is named', () => {
    const refused = refusedVariables(loadConfig, { KAFKA_BROKERS: 'localhost', TOPIC_PRODUCTS: 'no spaces', INDEXER_ENABLED: 'maybe', START_TIMEOUT_MS: '-1', KAFKA_GROUP_ID: '' });
    expect(refused).toEqual(expect.arrayContaining(['KAFKA_BROKERS', 'TOPIC_PRODUCTS', 'INDEXER_ENABLED', 'START_TIMEOUT_MS', 'KAFKA_GROUP_ID']));
  });
});
