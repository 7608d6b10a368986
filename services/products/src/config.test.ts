import { ConfigError } from '@oms/service-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('when nothing is set, then the documented defaults apply', () => {
    expect(loadConfig({})).toEqual({
      PORT: 3002,
      HOST: '127.0.0.1',
      ES_URL: 'http://127.0.0.1:9200',
      ES_INDEX: 'products',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      KAFKA_GROUP_ID: 'products-indexer',
      TOPIC_PRODUCTS: 'products',
      INDEXER_ENABLED: true,
      LOG_LEVEL: 'info',
      START_TIMEOUT_MS: 180_000,
    });
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

  it('when several variables are bad, then one error lists them all', () => {
    const attempt = () => loadConfig({ PORT: 'x', ES_URL: 'nope', ES_INDEX: 'Bad Index' });
    expect(attempt).toThrow(ConfigError);
    expect(() => attempt()).toThrow(/PORT[\s\S]*ES_URL[\s\S]*ES_INDEX/);
  });

  it('when the indexer variables are bad, then each is named', () => {
    try {
      loadConfig({ KAFKA_BROKERS: 'localhost', TOPIC_PRODUCTS: 'no spaces', INDEXER_ENABLED: 'maybe', START_TIMEOUT_MS: '-1', KAFKA_GROUP_ID: '' });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join('\n');
      for (const name of ['KAFKA_BROKERS', 'TOPIC_PRODUCTS', 'INDEXER_ENABLED', 'START_TIMEOUT_MS', 'KAFKA_GROUP_ID']) {
        expect(problems).toContain(name);
      }
    }
  });
});
