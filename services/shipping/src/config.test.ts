import { ConfigError } from '@oms/service-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('when the environment is empty, then the documented defaults apply (port 3006, database shipping)', () => {
    expect(loadConfig({})).toEqual({
      PORT: 3006,
      HOST: '127.0.0.1',
      PG_HOST: '127.0.0.1',
      PG_PORT: 5432,
      PG_USER: 'oms',
      PG_PASSWORD: 'oms',
      PG_DATABASE: 'shipping',
      LOG_LEVEL: 'info',
      START_TIMEOUT_MS: 180_000,
    });
  });

  it('when several variables are malformed, then one error lists all of them', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'x', PG_PORT: '70000', LOG_LEVEL: 'loud' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    for (const name of ['PORT', 'PG_PORT', 'LOG_LEVEL']) expect(problems).toContain(name);
  });
});
