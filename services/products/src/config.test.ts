import { ConfigError } from '@oms/service-kit';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('when nothing is set, then the DESIGN.md defaults apply', () => {
    expect(loadConfig({})).toEqual({ PORT: 3002, HOST: '127.0.0.1', ES_URL: 'http://127.0.0.1:9200', ES_INDEX: 'products', LOG_LEVEL: 'info' });
  });

  it('when several variables are bad, then one error lists them all', () => {
    const attempt = () => loadConfig({ PORT: 'x', ES_URL: 'nope', ES_INDEX: 'Bad Index' });
    expect(attempt).toThrow(ConfigError);
    expect(() => attempt()).toThrow(/PORT[\s\S]*ES_URL[\s\S]*ES_INDEX/);
  });
});
