import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config.js';
import { UsageError } from '../../errors.js';
import { loadConnectorFiles, renderConnector, templateValues } from '../connectors.js';
import { endpointsFor } from '../endpoints.js';
import { connectorHosts } from '../../ops/stack.js';
import { findRepoRoot } from '../runtime/index.js';
import { CATALOGUE } from '../stack/catalogue.js';
import { selectDown as selectDownOf, selectUp as selectUpOf } from '../stack/graph.js';
import { demux, dockerOptions, isPullFailure } from './client.js';

const selectUp = (only: string[] | undefined) => selectUpOf(CATALOGUE, only);
const selectDown = (only: string[]) => selectDownOf(CATALOGUE, only);

const root = findRepoRoot();

describe('selectUp / selectDown over the catalogue (both runtimes)', () => {
  it('when only some components are asked for, then what they need comes along, in start order', () => {
    expect(selectUp(['orders']).map((c) => c.id)).toEqual(['mariadb', 'redis', 'elasticsearch', 'kafka', 'customers', 'products', 'inventory', 'orders']);
    expect(selectUp(['connect']).map((c) => c.id)).toEqual(['kafka', 'connect']);
    expect(selectUp(undefined)).toHaveLength(CATALOGUE.length);
  });

  it('when a component is stopped, then what needs it stops too', () => {
    expect(selectDown(['kafka']).map((c) => c.id)).toEqual(['kafka', 'connect', 'products', 'inventory', 'orders', 'orders-stream', 'orders-graph', 'shipping']);
    expect(selectDown(['redis']).map((c) => c.id)).toEqual(['redis', 'inventory', 'orders']);
    expect(selectDown(['orders-stream']).map((c) => c.id)).toEqual(['orders-stream']);
  });

  it('when a name is unknown, then it is a usage error listing the known ones', () => {
    expect(() => selectUp(['zookeeper'])).toThrow(UsageError);
  });
});

describe('connectorHosts', () => {
  const config = loadConfig({ repoRoot: root, cwd: root, env: { OMS_PORT_MYSQL: '43306', OMS_PORT_POSTGRES: '45432', OMS_PORT_KAFKA: '49092' }, flags: {} }).config;

  it('when the runtime is docker, then connectors reach MariaDB, PostgreSQL and Kafka by service name on their in-network ports', () => {
    const { endpoints, hosts } = connectorHosts('docker', endpointsFor(config));
    const values = templateValues(config, endpoints, hosts);
    expect(values).toMatchObject({ mysqlHost: 'mariadb', mysqlPort: '3306', pgHost: 'postgres', pgPort: '5432', kafkaBootstrap: 'kafka:29092' });
    const rendered = loadConnectorFiles(root).map((f) => renderConnector(f, values));
    const graph = rendered.find((c) => c.name === 'oms-graph')!;
    expect(graph.config['connection.url']).toBe('jdbc:postgresql://postgres:5432/orders_graph');
    const orders = rendered.find((c) => c.name === 'oms-orders')!;
    expect(orders.config['database.hostname']).toBe('mariadb');
    expect(orders.config['schema.history.internal.kafka.bootstrap.servers']).toBe('kafka:29092');
  });

  it('when the docker stack runs three brokers, then connectors bootstrap from all three by service name', () => {
    const { endpoints, hosts } = connectorHosts('docker', endpointsFor(config, { brokers: 3 }));
    expect(templateValues(config, endpoints, hosts).kafkaBootstrap).toBe('kafka:29092,kafka-2:29092,kafka-3:29092');
  });

  it('when the runtime is local, then the published 127.0.0.1 ports are used unchanged', () => {
    const values = templateValues(config, connectorHosts('local', endpointsFor(config)).endpoints);
    expect(values).toMatchObject({ mysqlHost: '127.0.0.1', mysqlPort: '43306', pgPort: '45432', kafkaBootstrap: '127.0.0.1:49092' });
  });
});

describe('docker client helpers', () => {
  it('when DOCKER_HOST is unset, a unix URL or a tcp URL, then the matching connection options are used', () => {
    expect(dockerOptions({})).toEqual({ socketPath: '/var/run/docker.sock' });
    expect(dockerOptions({ DOCKER_HOST: 'unix:///run/user/1000/docker.sock' })).toEqual({ socketPath: '/run/user/1000/docker.sock' });
    expect(dockerOptions({ DOCKER_HOST: 'tcp://10.0.0.2:2375' })).toEqual({ host: '10.0.0.2', port: 2375, protocol: 'http' });
  });

  it('when a build or pull fails for lack of a registry, then it is recognised (and other failures are not)', () => {
    expect(isPullFailure('pull access denied for apache/kafka, repository does not exist or may require docker login')).toBe(true);
    expect(isPullFailure('Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host')).toBe(true);
    expect(isPullFailure("The command '/bin/sh -c npm ci' returned a non-zero code: 1")).toBe(false);
  });

  it('when a container log is multiplexed, then the frames are joined; plain text passes through', () => {
    const frame = (kind: number, text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(8);
      head[0] = kind;
      head.writeUInt32BE(body.length, 4);
      return Buffer.concat([head, body]);
    };
    expect(demux(Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n')]))).toBe('out\nerr\n');
    expect(demux(Buffer.from('plain text\n'))).toBe('plain text\n');
  });
});
