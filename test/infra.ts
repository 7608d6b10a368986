/**
 * Endpoints of the real infrastructure the integration tests talk to. The global setup
 * (test/global-setup.ts) starts it with the local runtime, or reuses what is running, and
 * exports these variables; the defaults are the CLI's default ports.
 */
export interface TestInfra {
  mysql: { host: string; port: number; user: string; password: string };
  postgres: { host: string; port: number; user: string; password: string };
  redisUrl: string;
  elasticsearchUrl: string;
  kafkaBrokers: string[];
  connectUrl: string;
}

export function testInfra(env: NodeJS.ProcessEnv = process.env): TestInfra {
  return {
    mysql: {
      host: env.OMS_TEST_MYSQL_HOST ?? '127.0.0.1',
      port: Number(env.OMS_TEST_MYSQL_PORT ?? 3306),
      user: env.OMS_TEST_MYSQL_USER ?? 'oms',
      password: env.OMS_TEST_MYSQL_PASSWORD ?? 'oms',
    },
    postgres: {
      host: env.OMS_TEST_PG_HOST ?? '127.0.0.1',
      port: Number(env.OMS_TEST_PG_PORT ?? 5432),
      user: env.OMS_TEST_PG_USER ?? 'oms',
      password: env.OMS_TEST_PG_PASSWORD ?? 'oms',
    },
    redisUrl: env.OMS_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    elasticsearchUrl: env.OMS_TEST_ES_URL ?? 'http://127.0.0.1:9200',
    kafkaBrokers: (env.OMS_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
    connectUrl: env.OMS_TEST_CONNECT_URL ?? 'http://127.0.0.1:8083',
  };
}
