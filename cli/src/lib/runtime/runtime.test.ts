import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import { createLocalRuntime } from './runtime.js';
import { commonServiceEnv, defaultLocalSettings, localEndpoints, withOrdersStreamInstances, withPortOffset } from './settings.js';

const settings = { ...withPortOffset(defaultLocalSettings('/repo'), 20000), stateDir: '/tmp/oms-unit-never-created' };
const runtime = createLocalRuntime(settings);

describe('steps', () => {
  it('when everything is selected, then prerequisites and artifacts come first and services after the infra', () => {
    const ids = runtime.steps().map((s) => s.id);
    expect(ids).toEqual(['prerequisites', 'artifacts', 'mariadb', 'postgres', 'redis', 'elasticsearch', 'kafka', 'connect', 'customers', 'products', 'inventory', 'orders', 'orders-stream', 'orders-graph', 'shipping']);
  });

  it('when only Connect is asked for, then Kafka comes along', () => {
    expect(runtime.steps({ only: ['connect'] }).map((s) => s.id)).toEqual(['prerequisites', 'artifacts', 'kafka', 'connect']);
  });

  it('when only the databases are asked for, then nothing is fetched', () => {
    expect(runtime.steps({ only: ['mariadb', 'postgres'] }).map((s) => s.id)).toEqual(['prerequisites', 'mariadb', 'postgres']);
  });

  it('when only the inventory is asked for, then Redis, Kafka and products (with what it needs) come along', () => {
    expect(runtime.steps({ only: ['inventory'] }).map((s) => s.id)).toEqual(['prerequisites', 'artifacts', 'redis', 'elasticsearch', 'kafka', 'products', 'inventory']);
  });

  it('when services are skipped, then only infra steps remain', () => {
    expect(runtime.steps({ skipServices: true }).some((s) => ['customers', 'orders'].includes(s.id))).toBe(false);
  });

  it('when the array order is followed, then every need is met before its step (topological)', () => {
    const steps = runtime.steps();
    steps.forEach((s, i) => {
      for (const n of s.needs ?? []) expect(steps.findIndex((x) => x.id === n)).toBeLessThan(i);
    });
    expect(steps.find((s) => s.id === 'orders')?.needs).toEqual(expect.arrayContaining(['customers', 'products', 'mariadb', 'inventory']));
  });

  it('when a component is unknown, then it is a usage error listing the known ones', () => {
    expect(() => runtime.steps({ only: ['zookeeper'] })).toThrow(UsageError);
  });
});

describe('downSteps', () => {
  it('when stopping everything, then services stop before Connect, Connect before Kafka, the databases last', () => {
    const steps = runtime.downSteps();
    const needsOf = (id: string) => steps.find((s) => s.id === id)!.needs ?? [];
    expect(needsOf('stop:connect')).toEqual(expect.arrayContaining(['stop:customers', 'stop:orders-graph']));
    expect(needsOf('stop:kafka')).toContain('stop:connect');
    expect(needsOf('stop:mariadb')).toEqual(expect.arrayContaining(['stop:kafka', 'stop:elasticsearch', 'stop:connect']));
    expect(steps.at(-1)?.id).toBe('verify');
  });

  it('when the array order is followed, then every need is met before its step (topological)', () => {
    const steps = runtime.downSteps({ volumes: true });
    steps.forEach((s, i) => {
      for (const n of s.needs ?? []) expect(steps.findIndex((x) => x.id === n)).toBeLessThan(i);
    });
  });

  it('when stopping Kafka only, then what needs it (Connect, services) stops too', () => {
    const ids = runtime.downSteps({ only: ['kafka'] }).map((s) => s.id);
    // products consumes a topic (customers, which needs only MariaDB, does not come along)
    expect(ids).toEqual(expect.arrayContaining(['stop:kafka', 'stop:connect', 'stop:products']));
    expect(ids).not.toContain('stop:mariadb');
  });

  it('when volumes are asked for, then wiping comes after the port check', () => {
    expect(runtime.downSteps({ volumes: true }).map((s) => s.id).slice(-2)).toEqual(['verify', 'volumes']);
  });
});

describe('endpoints and service env', () => {
  it('when ports are shifted, then endpoints and every service env follow', () => {
    const ep = localEndpoints(settings);
    expect(ep.kafkaBrokers).toEqual(['127.0.0.1:29092']);
    expect(ep.connectUrl).toBe('http://127.0.0.1:28083');
    const orders = settings.services.find((s) => s.name === 'orders')!;
    const env = commonServiceEnv({ endpoints: ep, service: orders, settings });
    expect(env).toMatchObject({
      PORT: '23003',
      HOST: '127.0.0.1',
      MYSQL_PORT: '23306',
      PG_PORT: '25432',
      PG_DATABASE: 'orders_graph',
      ES_URL: 'http://127.0.0.1:29200',
      REDIS_URL: 'redis://127.0.0.1:26379',
      KAFKA_BROKERS: '127.0.0.1:29092',
      CUSTOMERS_URL: 'http://127.0.0.1:23001',
      PRODUCTS_URL: 'http://127.0.0.1:23002',
      INVENTORY_URL: 'http://127.0.0.1:23005',
    });
  });
});

describe('three brokers and two orders-stream instances', () => {
  const scaled = { ...settings, brokers: 3 as const, services: withOrdersStreamInstances(settings.services, 2) };
  const steps = createLocalRuntime(scaled).steps();

  it('when everything is selected, then kafka-2, kafka-3 and orders-stream-2 are steps of their own', () => {
    expect(steps.map((s) => s.id)).toEqual(['prerequisites', 'artifacts', 'mariadb', 'postgres', 'redis', 'elasticsearch', 'kafka', 'kafka-2', 'kafka-3', 'connect', 'customers', 'products', 'inventory', 'orders', 'orders-stream', 'orders-stream-2', 'orders-graph', 'shipping']);
  });

  it('when something needs Kafka, then it waits for all three brokers, and the brokers wait for none of each other (a quorum forms only with two up)', () => {
    for (const id of ['connect', 'orders-stream', 'orders-stream-2', 'products']) expect(steps.find((s) => s.id === id)?.needs).toEqual(expect.arrayContaining(['kafka', 'kafka-2', 'kafka-3']));
    for (const id of ['kafka', 'kafka-2', 'kafka-3']) expect(steps.find((s) => s.id === id)?.needs).toEqual(['prerequisites', 'artifacts']);
  });

  it('when the endpoints are built, then Kafka is all three brokers', () => {
    expect(localEndpoints(scaled).kafkaBrokers).toEqual(['127.0.0.1:29092', '127.0.0.1:29094', '127.0.0.1:29096']);
  });

  it('when the instances get their env, then each has its own INSTANCE_ID (so its own transactional id) and its own port', () => {
    const endpoints = localEndpoints(scaled);
    const envs = scaled.services.filter((s) => s.name.startsWith('orders-stream')).map((service) => service.env!({ endpoints, service, settings: scaled }));
    expect(envs.map((e) => [e.INSTANCE_ID, e.PORT, e.KAFKA_BROKERS])).toEqual([
      ['local-1', '23004', '127.0.0.1:29092,127.0.0.1:29094,127.0.0.1:29096'],
      ['local-2', '23104', '127.0.0.1:29092,127.0.0.1:29094,127.0.0.1:29096'],
    ]);
  });
});
