import { describe, expect, it } from 'vitest';
import { itReadsItsEnvironment } from '../../../test/service-config.js';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  itReadsItsEnvironment({
    load: loadConfig,
    defaults: {
      PORT: 3003,
      MYSQL_HOST: '127.0.0.1',
      MYSQL_PORT: 3306,
      MYSQL_USER: 'oms',
      MYSQL_PASSWORD: 'oms',
      MYSQL_DATABASE: 'orders',
      CUSTOMERS_URL: 'http://127.0.0.1:3001',
      PRODUCTS_URL: 'http://127.0.0.1:3002',
      INVENTORY_URL: 'http://127.0.0.1:3005',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      CUSTOMER_TOPIC: 'customer',
      ADDRESS_TOPIC: 'address',
      PRODUCTS_TOPIC: 'products',
      TEST_PAUSE_AFTER_RESERVE_MS: 0,
    },
    malformed: { PORT: 'x', CUSTOMERS_URL: 'not a url', PRODUCTS_URL: 'ftp://products', INVENTORY_URL: 'inventory', MYSQL_DATABASE: 'a b', KAFKA_BROKERS: 'kafka', CUSTOMER_TOPIC: 'a customer' },
  });

  it('when a service URL has a trailing slash, then it is dropped', () => {
    expect(loadConfig({ CUSTOMERS_URL: 'http://customers:3001/' }).CUSTOMERS_URL).toBe('http://customers:3001');
  });

  it('when the reserve pause test hook is set, then it is read in ms; a negative one is refused', () => {
    expect(loadConfig({ TEST_PAUSE_AFTER_RESERVE_MS: '1500' }).TEST_PAUSE_AFTER_RESERVE_MS).toBe(1500);
    expect(() => loadConfig({ TEST_PAUSE_AFTER_RESERVE_MS: '-1' })).toThrow(/TEST_PAUSE_AFTER_RESERVE_MS/);
  });
});
