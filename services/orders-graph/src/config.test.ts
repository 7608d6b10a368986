import { ConfigError } from '@oms/service-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('when nothing is set, then the documented defaults apply', () => {
    expect(loadConfig({})).toEqual({
      PORT: 4000,
      HOST: '127.0.0.1',
      PG_HOST: '127.0.0.1',
      PG_PORT: 5432,
      PG_USER: 'oms',
      PG_PASSWORD: 'oms',
      PG_DATABASE: 'orders_graph',
      LOG_LEVEL: 'info',
      START_TIMEOUT_MS: 180_000,
    });
  });

  it('when several variables are bad, then one error lists them all', () => {
    const attempt = () => loadConfig({ PORT: '70000', PG_PORT: 'x', LOG_LEVEL: 'loud' });
    expect(attempt).toThrow(ConfigError);
    expect(() => attempt()).toThrow(/PORT[\s\S]*PG_PORT[\s\S]*LOG_LEVEL/);
  });
});
