import { refusedVariables } from '@oms/service-kit/testing';
import { describe, expect, it } from 'vitest';
import { loadConfig, streamConfig } from './config.js';

describe('orders-stream config', () => {
  it('when nothing is set, then the documented defaults apply', () => {
    const env = loadConfig({});
    expect(env).toMatchObject({ PORT: 3004, HOST: '127.0.0.1', KAFKA_BROKERS: ['127.0.0.1:9092'], KAFKA_GROUP_ID: 'orders-stream', LOG_LEVEL: 'info' });
    expect(env.INSTANCE_ID).toMatch(/-\d+$/);
    expect(streamConfig(env).topics).toEqual({
      order: 'order',
      orderDetail: 'order_detail',
      customer: 'customer',
      address: 'address',
      products: 'products',
      output: 'orders-graph',
      dlq: 'orders-stream.dlq',
    });
  });

  it('when topics, brokers and the instance are overridden, then the processor config carries them', () => {
    const config = streamConfig(
      loadConfig({ KAFKA_BROKERS: 'a:1, b:2', INSTANCE_ID: 'node-1', TOPIC_ORDER: 't.order', TOPIC_OUTPUT: 't.out', KAFKA_SESSION_TIMEOUT_MS: '6000' }),
    );
    expect(config).toMatchObject({ brokers: ['a:1', 'b:2'], instanceId: 'node-1', sessionTimeoutMs: 6000, topics: { order: 't.order', output: 't.out' } });
  });

  it('when several variables are bad, then one error lists them all', () => {
    expect(refusedVariables(loadConfig, { PORT: 'x', KAFKA_BROKERS: 'nohost', INSTANCE_ID: 'has space', LOG_LEVEL: 'loud' })).toEqual(['PORT', 'KAFKA_BROKERS', 'INSTANCE_ID', 'LOG_LEVEL']);
  });
});
