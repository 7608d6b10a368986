/**
 * Config files and command lines of the local components, as pure functions of their inputs
 * (unit-tested; the components only write what these return).
 */
import { brokerSessionTimeoutMs, replicationOf } from '../stack/topology.js';

/** Renders a Java .properties file (keys in the given order). */
export function renderProperties(entries: Record<string, string | number | boolean>, header?: string): string {
  const lines = header ? header.split('\n').map((l) => `# ${l}`) : [];
  for (const [key, value] of Object.entries(entries)) lines.push(`${key}=${String(value)}`);
  return `${lines.join('\n')}\n`;
}

/** Flat YAML for elasticsearch.yml (scalars only). */
export function renderFlatYaml(entries: Record<string, string | number | boolean>, header?: string): string {
  const lines = header ? header.split('\n').map((l) => `# ${l}`) : [];
  for (const [key, value] of Object.entries(entries)) {
    lines.push(`${key}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  }
  return `${lines.join('\n')}\n`;
}

const GENERATED = 'Written by oms (local runtime) on every start: edit the settings, not this file.';

/** The longest a Java consumer's fetch waits at the broker with nothing to return. */
export const IDLE_FETCH_WAIT_MS = 5000;

export interface KafkaServerConfig {
  host: string;
  /** This node's id (1 alone; 1, 2 or 3 in a three-broker quorum). Default 1. */
  nodeId?: number;
  port: number;
  controllerPort: number;
  /** Every voter of the quorum (default: this node alone). */
  voters?: Array<{ id: number; controllerPort: number }>;
  dataDir: string;
}

/**
 * KRaft combined broker+controller, static voter set (works on Kafka 3.9 and 4.x): one node,
 * or three voters on one host. With three, everything is kept on all three brokers and a write
 * needs two (`min.insync.replicas` 2), the internal topics too (consumer offsets, transaction
 * state): one broker may die with nothing lost and producers carrying on.
 */
export function kafkaServerProperties(c: KafkaServerConfig): string {
  const nodeId = c.nodeId ?? 1;
  const voters = c.voters ?? [{ id: nodeId, controllerPort: c.controllerPort }];
  const { replicationFactor: rf, minInsync: minIsr } = replicationOf({ brokers: voters.length });
  const sessionTimeoutMs = brokerSessionTimeoutMs({ brokers: voters.length });
  return renderProperties(
    {
      'process.roles': 'broker,controller',
      'node.id': nodeId,
      'controller.quorum.voters': voters.map((v) => `${v.id}@${c.host}:${v.controllerPort}`).join(','),
      listeners: `PLAINTEXT://${c.host}:${c.port},CONTROLLER://${c.host}:${c.controllerPort}`,
      'advertised.listeners': `PLAINTEXT://${c.host}:${c.port}`,
      'controller.listener.names': 'CONTROLLER',
      'inter.broker.listener.name': 'PLAINTEXT',
      'listener.security.protocol.map': 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      'log.dirs': c.dataDir,
      'num.partitions': 3,
      'default.replication.factor': rf,
      'offsets.topic.replication.factor': rf,
      'offsets.topic.num.partitions': 3,
      'transaction.state.log.replication.factor': rf,
      'transaction.state.log.min.isr': minIsr,
      'transaction.state.log.num.partitions': 3,
      'share.coordinator.state.topic.replication.factor': rf,
      'share.coordinator.state.topic.min.isr': minIsr,
      'min.insync.replicas': minIsr,
      'group.initial.rebalance.delay.ms': 0,
      'auto.create.topics.enable': false,
      'log.retention.hours': 168,
      'log.segment.bytes': 64 * 1024 * 1024,
      // The active controller appends a no-op record to the metadata log this often (default
      // 500 ms) so brokers see it advance; a demo on one host gains nothing from 2 a second.
      'metadata.max.idle.interval.ms': 5000,
      // Each request handler and network thread wakes ~3 times a second with nothing to do;
      // the defaults (8 and 3) are sized for many cores. On 2 cores two of each carry the
      // ramp, and an idle broker alone used 1.2% of a core instead of 1.4% (docs/architecture.md, Tuning).
      'num.io.threads': 2,
      'num.network.threads': 2,
      ...(sessionTimeoutMs ? { 'broker.session.timeout.ms': sessionTimeoutMs } : {}),
    },
    GENERATED,
  );
}

export interface ConnectWorkerConfig {
  host: string;
  port: number;
  bootstrapServers: string;
  pluginPath: string;
  /** Replication factor of its config, offset and status topics (the brokers': 1 or 3). Default 1. */
  replicationFactor?: number;
}

/** Distributed Connect worker with internal topics replicated like the brokers' and a fast offset flush. */
export function connectWorkerProperties(c: ConnectWorkerConfig): string {
  return renderProperties(
    {
      'bootstrap.servers': c.bootstrapServers,
      'group.id': 'oms-connect',
      'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
      'key.converter.schemas.enable': true,
      'value.converter.schemas.enable': true,
      'config.storage.topic': 'oms-connect-configs',
      'offset.storage.topic': 'oms-connect-offsets',
      'status.storage.topic': 'oms-connect-status',
      'config.storage.replication.factor': c.replicationFactor ?? 1,
      'offset.storage.replication.factor': c.replicationFactor ?? 1,
      'status.storage.replication.factor': c.replicationFactor ?? 1,
      'offset.storage.partitions': 3,
      'status.storage.partitions': 1,
      // How often a source task's position is written. Each flush also reads the offsets
      // topic's end offsets (one ListOffsets request), with or without anything to write: at
      // 1 s that was a ninth of an idle broker's requests. After a kill -9 the sources re-read
      // up to this much binlog; the duplicates are absorbed downstream (docs/architecture.md,
      // Durability).
      'offset.flush.interval.ms': 5000,
      // How long a fetch may wait at the broker for data: unprefixed for the worker's own
      // config/offset/status readers, `consumer.` for sink tasks. A fetch returns as soon as a
      // record arrives (fetch.min.bytes 1), and a Java consumer's wakeup() ends it at once, so a
      // long wait costs no latency; at the default 500 ms each reader asks twice a second,
      // which is most of what an idle broker does (docs/architecture.md, Tuning).
      'fetch.max.wait.ms': IDLE_FETCH_WAIT_MS,
      'consumer.fetch.max.wait.ms': IDLE_FETCH_WAIT_MS,
      // A sink task's consumer is alone in its group (one task per sink), and its session
      // outlives a kill -9 of the worker either way (45 s): a heartbeat every 3 s only kept
      // an idle broker busy.
      'consumer.heartbeat.interval.ms': 10_000,
      // One worker: when it rejoins its group with a new member id (after a broker restart),
      // the leader would hold the "lost" member's connectors UNASSIGNED for this long
      // (default 5 min) waiting for it to come back; there is no other worker to wait for.
      'scheduled.rebalance.max.delay.ms': 0,
      listeners: `http://${c.host}:${c.port}`,
      'rest.advertised.host.name': c.host,
      'rest.advertised.port': c.port,
      'plugin.path': c.pluginPath,
      // Debezium and Kafka's own plugins ship ServiceLoader manifests: skipping the
      // reflective scan saves ~20 s of startup on 2 cores.
      'plugin.discovery': 'service_load',
      'topic.creation.enable': true,
    },
    GENERATED,
  );
}

export interface ElasticsearchConfig {
  host: string;
  httpPort: number;
  transportPort: number;
  dataDir: string;
  logsDir: string;
}

/** Single-node, security off, loopback only (so the production bootstrap checks stay warnings). */
export function elasticsearchYml(c: ElasticsearchConfig): string {
  return renderFlatYaml(
    {
      'cluster.name': 'oms-local',
      'node.name': 'oms',
      'discovery.type': 'single-node',
      'network.host': c.host,
      'http.port': c.httpPort,
      'transport.port': c.transportPort,
      'path.data': c.dataDir,
      'path.logs': c.logsDir,
      'xpack.security.enabled': false,
      // A demo on a nearly full disk should still accept writes.
      'cluster.routing.allocation.disk.threshold_enabled': false,
    },
    GENERATED,
  );
}

export interface MariaDbArgs {
  host: string;
  port: number;
  dataDir: string;
  socket: string;
  /** `root` when we are root (mariadbd refuses otherwise); omitted for other users. */
  user?: string;
}

/** mariadbd flags: our own instance, no my.cnf, binlog as Debezium needs it. */
export function mariadbArgs(c: MariaDbArgs): string[] {
  return [
    '--no-defaults',
    `--datadir=${c.dataDir}`,
    `--port=${c.port}`,
    `--bind-address=${c.host}`,
    `--socket=${c.socket}`,
    `--pid-file=${c.dataDir}/mariadbd.pid`,
    ...(c.user ? [`--user=${c.user}`] : []),
    `--log-bin=${c.dataDir}/mariadb-bin`,
    '--binlog-format=ROW',
    '--binlog-row-image=FULL',
    '--server-id=1',
    '--character-set-server=utf8mb4',
    '--collation-server=utf8mb4_unicode_ci',
    '--skip-name-resolve',
    '--innodb-buffer-pool-size=128M',
    // A demo box: trade a second of durability on power loss for much faster writes.
    '--innodb-flush-log-at-trx-commit=2',
  ];
}

/** SQL literal for a MariaDB string ('…' with quotes and backslashes escaped). */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/**
 * Idempotent users: the app user (all privileges; services create their databases) and the
 * Debezium user. On MariaDB 10.5+ REPLICATION CLIENT is an alias of BINLOG MONITOR, which
 * `SHOW MASTER STATUS`/`SHOW BINARY LOGS` need; both are granted so MySQL-minded docs match.
 */
export function mariadbUsersSql(c: { user: string; password: string; cdcUser: string; cdcPassword: string }): string {
  const app = `${sqlString(c.user)}@'%'`;
  const cdc = `${sqlString(c.cdcUser)}@'%'`;
  return [
    `CREATE USER IF NOT EXISTS ${app} IDENTIFIED BY ${sqlString(c.password)};`,
    `ALTER USER ${app} IDENTIFIED BY ${sqlString(c.password)};`,
    `GRANT ALL PRIVILEGES ON *.* TO ${app} WITH GRANT OPTION;`,
    `CREATE USER IF NOT EXISTS ${cdc} IDENTIFIED BY ${sqlString(c.cdcPassword)};`,
    `ALTER USER ${cdc} IDENTIFIED BY ${sqlString(c.cdcPassword)};`,
    `GRANT SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE, REPLICATION CLIENT, BINLOG MONITOR, LOCK TABLES ON *.* TO ${cdc};`,
    'FLUSH PRIVILEGES;',
  ].join('\n');
}

export interface PostgresArgs {
  host: string;
  port: number;
  dataDir: string;
  socketDir: string;
}

/** postgres flags: our own data dir, port and socket dir; logs to stderr (the component log). */
export function postgresArgs(c: PostgresArgs): string[] {
  return [
    '-D',
    c.dataDir,
    '-p',
    String(c.port),
    '-c',
    `listen_addresses=${c.host}`,
    '-c',
    `unix_socket_directories=${c.socketDir}`,
    '-c',
    'logging_collector=off',
    '-c',
    'shared_buffers=128MB',
    '-c',
    'max_connections=200',
    // Logical decoding for Debezium's PostgreSQL connector (oms-shipping reads the shipping
    // outbox through a replication slot); the flags beat postgresql.conf, so a data dir made by
    // an older oms gets them on its next start (see `outdated` in components/postgres.ts).
    ...POSTGRES_REPLICATION_FLAGS.flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ];
}

/** The replication settings both runtimes give PostgreSQL (compose/docker-compose.yml repeats them). */
export const POSTGRES_REPLICATION_FLAGS = [
  ['wal_level', 'logical'],
  ['max_replication_slots', '10'],
  ['max_wal_senders', '10'],
] as const;

export interface RedisArgs {
  host: string;
  port: number;
  dataDir: string;
}

/**
 * redis-server flags: our own instance, no redis.conf, the log on stdout (the component log).
 * The inventory's stock lives only here, so durability comes first: every write goes to the
 * append-only file and is fsynced before Redis answers (`appendfsync always`: an acknowledged
 * reservation survives a kill -9 of Redis and a power cut; `everysec` would lose up to ~1 s on
 * a power cut), no RDB snapshots (the AOF is the one copy, and a fork for a snapshot would
 * stall writes), and a full Redis refuses writes rather than evicting stock (`noeviction`).
 * Its housekeeping runs once a second, not ten times (`hz 1`: 0.20 → 0.07% of a core idle): it
 * expires no keys of ours (reservations expire by the inventory's sweep), and a blocked XREAD
 * still returns the moment an entry arrives; only its timeout may end up to a second late.
 */
export function redisArgs(c: RedisArgs): string[] {
  return [
    '--port',
    String(c.port),
    '--bind',
    c.host,
    '--dir',
    c.dataDir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--save',
    '',
    '--maxmemory-policy',
    'noeviction',
    '--hz',
    '1',
    '--daemonize',
    'no',
    '--logfile',
    '',
  ];
}

/**
 * A JVM flag for every JVM of the stack (Kafka, Connect, Elasticsearch): no hsperfdata. Its
 * sampler wakes every 50 ms to update counters that only `jps`/`jstat` read (nothing of ours;
 * `jcmd <pid>` and `jstack` attach without it): ~0.1% of a core per idle JVM.
 */
export const IDLE_JVM_FLAGS = '-XX:-UsePerfData';

/** Java flags of the Kafka JVMs (broker and Connect). */
export function kafkaJvmArgs(c: { heap: string; log4jConfig: string; libsDir: string }): string[] {
  return [
    `-Xmx${c.heap}`,
    '-Xms128m',
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-XX:+ExitOnOutOfMemoryError',
    IDLE_JVM_FLAGS,
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${c.log4jConfig}`,
    '-cp',
    `${c.libsDir}/*`,
  ];
}
