import { ConfigError } from '@oms/service-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('when the environment is empty, then the documented defaults apply', () => {
    expect(loadConfig({})).toEqual({
      PORT: 3001,
      HOST: '127.0.0.1',
      MYSQL_HOST: '127.0.0.1',
      MYSQL_PORT: 3306,
      MYSQL_USER: 'oms',
      MYSQL_PASSWORD: 'oms',
      MYSQL_DATABASE: 'customers',
      LOG_LEVEL: 'info',
      START_TIMEOUT_MS: 180_000,
    });
  });

  it('when several variables are malformed, then one error lists all of them', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', MYSQL_PORT: '70000', MYSQL_DATABASE: 'bad-name;', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'MYSQL_PORT', 'MYSQL_DATABASE', 'LOG_LEVEL']) expect(problems).toContain(name);
  });
});
