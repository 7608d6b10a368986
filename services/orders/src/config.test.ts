import { ConfigError } from '@oms/service-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('when the environment is empty, then the documented defaults apply', () => {
    expect(loadConfig({})).toEqual({
      PORT: 3003,
      HOST: '127.0.0.1',
      MYSQL_HOST: '127.0.0.1',
      MYSQL_PORT: 3306,
      MYSQL_USER: 'oms',
      MYSQL_PASSWORD: 'oms',
      MYSQL_DATABASE: 'orders',
      CUSTOMERS_URL: 'http://127.0.0.1:3001',
      PRODUCTS_URL: 'http://127.0.0.1:3002',
      LOG_LEVEL: 'info',
      START_TIMEOUT_MS: 180_000,
    });
  });

  it('when a service URL has a trailing slash, then it is dropped', () => {
    expect(loadConfig({ CUSTOMERS_URL: 'http://customers:3001/' }).CUSTOMERS_URL).toBe('http://customers:3001');
  });

  it('when several variables are malformed, then one error lists all of them', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'x', CUSTOMERS_URL: 'not a url', PRODUCTS_URL: 'ftp://products', MYSQL_DATABASE: 'a b' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'CUSTOMERS_URL', 'PRODUCTS_URL', 'MYSQL_DATABASE']) expect(problems).toContain(name);
  });
});
