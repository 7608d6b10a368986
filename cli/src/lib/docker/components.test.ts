import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { findRepoRoot } from '../runtime/index.js';
import { CATALOGUE } from '../stack/catalogue.js';
import { selectDown } from '../stack/graph.js';
import { dockerComponents } from './components.js';

const root = findRepoRoot();
const config = loadConfig({ repoRoot: root, cwd: root, env: { OMS_PORT_KAFKA: '21092', OMS_PORT_KAFKA_CONTROLLER: '21093', OMS_PORT_ORDERS_STREAM: '15004' }, flags: {} }).config;

describe('dockerComponents', () => {
  it('when the topology is the default, then they are the catalogue, each on its first published port', () => {
    const all = dockerComponents(config, { brokers: 1, ordersStream: 1 }, '127.0.0.1');
    expect(all.map((c) => c.id)).toEqual(CATALOGUE.map((c) => c.id));
    expect(all.find((c) => c.id === 'kafka')).toMatchObject({ at: { host: '127.0.0.1', port: 21092 }, published: [21092, 21093] });
    // Elasticsearch's transport port stays inside the network.
    expect(all.find((c) => c.id === 'elasticsearch')!.published).toEqual([config.ports.elasticsearch]);
  });

  it('when three brokers and two instances run, then they have the local runtime\'s names and host ports, and what needs Kafka waits for every broker', () => {
    const all = dockerComponents(config, { brokers: 3, ordersStream: 2 }, '127.0.0.1');
    const byId = new Map(all.map((c) => [c.id, c]));
    expect(all.map((c) => c.id).filter((id) => /^(kafka|orders-stream)/.test(id))).toEqual(['kafka', 'kafka-2', 'kafka-3', 'orders-stream', 'orders-stream-2']);
    expect(byId.get('kafka-2')).toMatchObject({ title: 'Kafka broker 2', kind: 'infra', at: { port: 21094 }, published: [21094, 21095] });
    expect(byId.get('kafka-3')).toMatchObject({ at: { port: 21096 }, published: [21096, 21097] });
    expect(byId.get('kafka-3')!.url(byId.get('kafka-3')!.at)).toBe('127.0.0.1:21096');
    expect(byId.get('orders-stream-2')).toMatchObject({ kind: 'service', at: { port: 15104 }, published: [15104] });
    expect(byId.get('connect')!.needs).toEqual(['kafka', 'kafka-2', 'kafka-3']);
    expect(byId.get('orders-stream-2')!.needs).toEqual(['kafka', 'kafka-2', 'kafka-3']);
  });

  it('when one broker is stopped with down --only, then what needs Kafka stops too, but not the other brokers', () => {
    const all = dockerComponents(config, { brokers: 3, ordersStream: 2 }, '127.0.0.1');
    const ids = selectDown(all, ['kafka-2']).map((c) => c.id);
    expect(ids).toContain('orders-stream-2');
    expect(ids).toContain('connect');
    expect(ids).not.toContain('kafka');
    expect(ids).not.toContain('kafka-3');
  });
});
