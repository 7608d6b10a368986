import { describe, expect, it } from 'vitest';
import {
  connectWorkerProperties,
  elasticsearchYml,
  kafkaServerProperties,
  mariadbArgs,
  mariadbUsersSql,
  postgresArgs,
  redisArgs,
  renderProperties,
  sqlString,
} from './templates.js';

function parseProperties(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
}

describe('kafkaServerProperties', () => {
  const props = parseProperties(kafkaServerProperties({ host: '127.0.0.1', port: 29092, controllerPort: 29093, dataDir: '/s/kafka/data' }));

  it('when rendered, then it is a single-node KRaft broker+controller on loopback', () => {
    expect(props['process.roles']).toBe('broker,controller');
    expect(props['node.id']).toBe('1');
    expect(props['controller.quorum.voters']).toBe('1@127.0.0.1:29093');
    expect(props.listeners).toBe('PLAINTEXT://127.0.0.1:29092,CONTROLLER://127.0.0.1:29093');
    expect(props['advertised.listeners']).toBe('PLAINTEXT://127.0.0.1:29092');
    expect(props['log.dirs']).toBe('/s/kafka/data');
  });

  it('when rendered, then internal topics fit one broker and topics are never auto-created', () => {
    expect(props['offsets.topic.replication.factor']).toBe('1');
    expect(props['transaction.state.log.replication.factor']).toBe('1');
    expect(props['transaction.state.log.min.isr']).toBe('1');
    expect(props['group.initial.rebalance.delay.ms']).toBe('0');
    expect(props['num.partitions']).toBe('3');
    expect(props['auto.create.topics.enable']).toBe('false');
  });
});

describe('kafkaServerProperties with three voters', () => {
  const voters = [1, 2, 3].map((id) => ({ id, controllerPort: 29093 + 2 * (id - 1) }));
  const props = parseProperties(kafkaServerProperties({ host: '127.0.0.1', nodeId: 2, port: 29094, controllerPort: 29095, voters, dataDir: '/s/kafka-2/data' }));

  it('when rendered for node 2, then it is that voter on its own ports with all three in the quorum', () => {
    expect(props['node.id']).toBe('2');
    expect(props['controller.quorum.voters']).toBe('1@127.0.0.1:29093,2@127.0.0.1:29095,3@127.0.0.1:29097');
    expect(props.listeners).toBe('PLAINTEXT://127.0.0.1:29094,CONTROLLER://127.0.0.1:29095');
    expect(props['log.dirs']).toBe('/s/kafka-2/data');
  });

  it('when rendered, then topics and the internal topics are replicated 3 times and a write needs 2 in sync', () => {
    for (const key of ['default.replication.factor', 'offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'share.coordinator.state.topic.replication.factor']) expect(props[key]).toBe('3');
    for (const key of ['min.insync.replicas', 'transaction.state.log.min.isr', 'share.coordinator.state.topic.min.isr']) expect(props[key]).toBe('2');
  });
});

describe('connectWorkerProperties', () => {
  it('when the brokers replicate 3 times, then so do its config, offset and status topics', () => {
    const props = parseProperties(connectWorkerProperties({ host: '127.0.0.1', port: 28083, bootstrapServers: '127.0.0.1:29092,127.0.0.1:29094,127.0.0.1:29096', pluginPath: '/c/plugins', replicationFactor: 3 }));
    expect(props['bootstrap.servers']).toBe('127.0.0.1:29092,127.0.0.1:29094,127.0.0.1:29096');
    for (const key of ['config.storage.replication.factor', 'offset.storage.replication.factor', 'status.storage.replication.factor']) expect(props[key]).toBe('3');
  });

  it('when rendered, then it is a distributed worker with RF-1 internal topics and the plugin path', () => {
    const props = parseProperties(
      connectWorkerProperties({ host: '127.0.0.1', port: 28083, bootstrapServers: '127.0.0.1:29092', pluginPath: '/c/plugins' }),
    );
    expect(props['group.id']).toBe('oms-connect');
    expect(props['bootstrap.servers']).toBe('127.0.0.1:29092');
    expect(props.listeners).toBe('http://127.0.0.1:28083');
    expect(props['rest.advertised.host.name']).toBe('127.0.0.1');
    expect(props['plugin.path']).toBe('/c/plugins');
    expect(props['key.converter']).toBe('org.apache.kafka.connect.json.JsonConverter');
    expect(props['value.converter']).toBe('org.apache.kafka.connect.json.JsonConverter');
    for (const t of ['config', 'offset', 'status']) expect(props[`${t}.storage.replication.factor`]).toBe('1');
    // Positions are flushed every few seconds: a kill -9 replays seconds of binlog, not a minute (the default).
    expect(Number(props['offset.flush.interval.ms'])).toBeLessThanOrEqual(5000);
    expect(Number(props['consumer.heartbeat.interval.ms'])).toBeGreaterThan(3000);
    // Its own readers and its sink tasks ask an idle broker every few seconds, not twice a second.
    for (const key of ['fetch.max.wait.ms', 'consumer.fetch.max.wait.ms']) expect(Number(props[key])).toBeGreaterThanOrEqual(2000);
  });
});

describe('elasticsearchYml', () => {
  it('when rendered, then it is single-node, loopback, security off, with our paths quoted', () => {
    const yml = elasticsearchYml({ host: '127.0.0.1', httpPort: 29200, transportPort: 29300, dataDir: '/d a/data', logsDir: '/d/logs' });
    expect(yml).toContain('discovery.type: "single-node"');
    expect(yml).toContain('network.host: "127.0.0.1"');
    expect(yml).toContain('http.port: 29200');
    expect(yml).toContain('transport.port: 29300');
    expect(yml).toContain('xpack.security.enabled: false');
    expect(yml).toContain('path.data: "/d a/data"');
  });
});

describe('mariadbArgs', () => {
  it('when we are root, then it runs as root with no my.cnf and a ROW binlog', () => {
    const args = mariadbArgs({ host: '127.0.0.1', port: 23306, dataDir: '/m/data', socket: '/m/s.sock', user: 'root' });
    expect(args[0]).toBe('--no-defaults');
    expect(args).toEqual(
      expect.arrayContaining(['--port=23306', '--bind-address=127.0.0.1', '--socket=/m/s.sock', '--user=root', '--binlog-format=ROW', '--binlog-row-image=FULL', '--server-id=1']),
    );
    expect(args.some((a) => a.startsWith('--log-bin='))).toBe(true);
  });

  it('when we are not root, then no --user is passed', () => {
    expect(mariadbArgs({ host: '127.0.0.1', port: 1, dataDir: '/d', socket: '/s' }).some((a) => a.startsWith('--user'))).toBe(false);
  });
});

describe('mariadbUsersSql', () => {
  it('when rendered, then both users are created idempotently with the Debezium grants', () => {
    const sql = mariadbUsersSql({ user: 'oms', password: 'oms', cdcUser: 'debezium', cdcPassword: 'dbz' });
    expect(sql).toContain("CREATE USER IF NOT EXISTS 'oms'@'%' IDENTIFIED BY 'oms';");
    expect(sql).toContain("GRANT ALL PRIVILEGES ON *.* TO 'oms'@'%'");
    expect(sql).toMatch(/GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR, LOCK TABLES ON \*\.\* TO 'debezium'@'%'/);
  });

  it('when a password holds quotes, then it is escaped', () => {
    expect(sqlString("it's\\")).toBe("'it\\'s\\\\'");
  });
});

describe('postgresArgs', () => {
  it('when rendered, then it listens on loopback with its own socket dir', () => {
    const args = postgresArgs({ host: '127.0.0.1', port: 25432, dataDir: '/p/data', socketDir: '/p/run' });
    expect(args.slice(0, 4)).toEqual(['-D', '/p/data', '-p', '25432']);
    expect(args).toContain('listen_addresses=127.0.0.1');
    expect(args).toContain('unix_socket_directories=/p/run');
  });
});

describe('redisArgs', () => {
  const args = redisArgs({ host: '127.0.0.1', port: 26379, dataDir: '/r/data' });
  // `--key value` pairs as redis-server reads them (every flag here takes exactly one value)
  const flags = Object.fromEntries(args.flatMap((a, i) => (a.startsWith('--') ? [[a.slice(2), args[i + 1]]] : [])));

  it('when rendered, then it listens on loopback only, with its data dir, in the foreground, logging to stdout', () => {
    expect(flags).toMatchObject({ port: '26379', bind: '127.0.0.1', dir: '/r/data', daemonize: 'no', logfile: '' });
  });

  it('when rendered, then every write is in the fsynced append-only file, no RDB snapshot is taken and nothing is evicted', () => {
    expect(flags).toMatchObject({ appendonly: 'yes', appendfsync: 'always', save: '', 'maxmemory-policy': 'noeviction' });
    expect(args.length).toBe(Object.keys(flags).length * 2);
  });

  it('when rendered, then its housekeeping runs once a second, not ten times', () => {
    expect(flags.hz).toBe('1');
  });
});

describe('renderProperties', () => {
  it('when given a header, then it is commented', () => {
    expect(renderProperties({ a: 1 }, 'x\ny')).toBe('# x\n# y\na=1\n');
  });
});
