import { describe, expect, it } from 'vitest';
import { itReadsItsEnvironment } from '../../../test/service-config.js';
import { graphqlLimits, loadConfig } from './config.js';

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
      GRAPHQL_MAX_TOKENS: 2000,
      GRAPHQL_MAX_DEPTH: 8,
      GRAPHQL_MAX_ALIASES: 15,
      GRAPHQL_MAX_COST: 5000,
      GRAPHQL_TIMEOUT_MS: 5000,
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      SHIPMENT_EVENTS_TOPIC: 'shipment-events',
      SHIPMENTS_GROUP_ID: 'orders-graph-shipments',
    },
    malformed: { PORT: '70000', PG_PORT: 'x', LOG_LEVEL: 'loud', GRAPHQL_MAX_DEPTH: '0', GRAPHQL_TIMEOUT_MS: 'soon', KAFKA_BROKERS: 'kafka', SHIPMENT_EVENTS_TOPIC: 'shipment events' },
  });

  it('when the GraphQL limits are set, then graphqlLimits carries each of them', () => {
    const config = loadConfig({ GRAPHQL_MAX_TOKENS: '500', GRAPHQL_MAX_DEPTH: '4', GRAPHQL_MAX_ALIASES: '3', GRAPHQL_MAX_COST: '100', GRAPHQL_TIMEOUT_MS: '250' });
    expect(graphqlLimits(config)).toEqual({ maxTokens: 500, maxDepth: 4, maxAliases: 3, maxCost: 100, timeoutMs: 250 });
  });
});
