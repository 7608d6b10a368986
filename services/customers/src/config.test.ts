import { describe } from 'vitest';
import { itReadsItsEnvironment } from '../../../test/service-config.js';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  itReadsItsEnvironment({
    load: loadConfig,
    defaults: {
      PORT: 3001,
      MYSQL_HOST: '127.0.0.1',
      MYSQL_PORT: 3306,
      MYSQL_USER: 'oms',
      MYSQL_PASSWORD: 'oms',
      MYSQL_DATABASE: 'customers',
    },
    malformed: { PORT: 'abc', MYSQL_PORT: '70000', MYSQL_DATABASE: 'bad-name;', LOG_LEVEL: 'loud' },
  });
});
