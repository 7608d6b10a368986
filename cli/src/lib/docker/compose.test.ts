import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig } from '../../config.js';
import { ARTIFACT_VERSIONS, commonServiceEnv, defaultLocalSettings, localEndpoints } from '../runtime/index.js';
import { connectWorkerProperties, kafkaServerProperties, mariadbUsersSql, redisArgs } from '../runtime/templates.js';
import { CATALOGUE } from '../stack/catalogue.js';
import { brokerIds, brokerPorts, DEFAULT_TOPOLOGY, MAX_ORDERS_STREAM, type Topology } from '../stack/topology.js';
import { dockerComponents } from './components.js';
import { composeEnv, composeFiles, PORT_VARIABLES } from './compose.js';
import { connectImage, offlineImages, publicImages, serviceImage } from './images.js';
import { omsVersion } from './runtime.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const text = readFileSync(path.join(root, 'compose', 'docker-compose.yml'), 'utf8');
const offlineText = readFileSync(path.join(root, 'compose', 'docker-compose.offline.yml'), 'utf8');

interface ComposeService {
  image: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  ports?: string[];
  networks?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  profiles?: string[];
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  networks: Record<string, unknown>;
  volumes: Record<string, unknown>;
}

/** `${NAME:-default}` replaced as compose does: the variable from `env`, else its default. */
function interpolate(source: string, env: Record<string, string>): string {
  return source.replace(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g, (_, name: string, fallback: string | undefined) => env[name] ?? fallback ?? '');
}

/** Every string of a parsed YAML value interpolated (compose interpolates after parsing: values stay strings). */
function interpolated(value: unknown, env: Record<string, string>): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolated(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolated(v, env)]));
  return value;
}

/** The compose file as compose sees it with `env` (the CLI's variables), YAML merge keys applied. */
function composeWith(env: Record<string, string>): ComposeFile {
  return interpolated(parse(text, { merge: true }), env) as ComposeFile;
}

/** As written (variables not replaced): what the port and image checks read. */
const raw = parse(text, { merge: true }) as ComposeFile;
/** With every variable at its default (a plain `docker compose up`). */
const file = composeWith({});
const offline = parse(offlineText) as { services: Record<string, { image: string }> };
const defaults = loadConfig({ repoRoot: root, cwd: root, env: {}, flags: {} }).config;
/** The largest stack `oms up` can ask for: every service of the file. */
const LARGEST: Topology = { brokers: 3, ordersStream: MAX_ORDERS_STREAM };

/** `${NAME:-default}` occurrences of the compose file. */
function variables(source: string): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  for (const m of source.matchAll(/\$\{([A-Z0-9_]+)(?::-([^}]*))?\}/g)) {
    const set = found.get(m[1]!) ?? new Set<string>();
    set.add(m[2] ?? '');
    found.set(m[1]!, set);
  }
  return found;
}

describe('compose/docker-compose.yml', () => {
  it('when parsed, then it has exactly the components the docker runtime drives, each with a healthcheck on the one network', () => {
    expect(Object.keys(file.services).sort()).toEqual(dockerComponents(defaults, LARGEST, '127.0.0.1').map((c) => c.id).sort());
    for (const [name, svc] of Object.entries(file.services)) {
      expect(svc.healthcheck?.test, name).toBeDefined();
      expect(svc.networks, name).toEqual(['oms']);
    }
    expect(Object.keys(file.networks)).toEqual(['oms']);
  });

  it('when a component needs another, then compose waits for it to be healthy (depends_on mirrors the runtime graph)', () => {
    for (const c of CATALOGUE) {
      const deps = file.services[c.id]!.depends_on ?? {};
      expect(Object.keys(deps).sort(), c.id).toEqual([...c.needs].sort());
      for (const d of Object.values(deps)) expect(d.condition).toBe('service_healthy');
    }
    // A service outside the default profile cannot be waited for by one inside it: the extra
    // brokers and instances wait for what their first one waits for (the CLI orders the rest).
    for (const id of ['kafka-2', 'kafka-3', 'orders-stream-2', 'orders-stream-3', 'orders-stream-4']) {
      expect(file.services[id]!.depends_on, id).toEqual(file.services[id.replace(/-\d$/, '')]!.depends_on);
    }
  });

  it('when no profile is active, then one broker and one orders-stream run; the extra ones are in the three-brokers and scale profiles', () => {
    const profiled = Object.entries(file.services).filter(([, svc]) => svc.profiles).map(([id, svc]) => [id, svc.profiles]);
    expect(profiled).toEqual([
      ['kafka-2', ['three-brokers']],
      ['kafka-3', ['three-brokers']],
      ['orders-stream-2', ['scale']],
      ['orders-stream-3', ['scale']],
      ['orders-stream-4', ['scale']],
    ]);
  });

  it('when ports are published, then each uses its OMS_PORT_* variable with the default of the CLI, on 127.0.0.1 unless overridden', () => {
    const vars = variables(text);
    for (const [key, variable] of Object.entries(PORT_VARIABLES)) {
      if (!variable) continue;
      expect(vars.get(variable), variable).toEqual(new Set([String(defaults.ports[key as keyof typeof defaults.ports])]));
    }
    const published = Object.values(raw.services).flatMap((s) => s.ports ?? []);
    // 14 of one broker and one instance, 2 for each extra broker, 1 for each extra instance.
    expect(published.length).toBe(14 + 2 * 2 + (MAX_ORDERS_STREAM - 1));
    for (const p of published) expect(p).toMatch(/^\$\{OMS_BIND_ADDRESS:-127\.0\.0\.1\}:\$\{OMS_PORT_[A-Z0-9_]+:-\d+\}:\d+$/);
  });

  it('when the extra brokers and instances publish ports, then their defaults are the local runtime\'s (broker + 2, + 4; instance + 100 …)', () => {
    const all = dockerComponents(defaults, LARGEST, '127.0.0.1');
    for (const c of all) {
      const ports = (file.services[c.id]!.ports ?? []).map((p) => Number(p.split(':')[1]));
      expect(ports, c.id).toEqual(c.published);
    }
  });

  it('when the CLI runs compose, then every variable the file reads for ports and versions comes from the resolved config', () => {
    const config = loadConfig({ repoRoot: root, cwd: root, env: { OMS_PORT_KAFKA: '49092', OMS_PORT_CUSTOMERS: '43001' }, flags: {} }).config;
    const env = composeEnv({ config, topology: DEFAULT_TOPOLOGY, version: '9.9.9', images: { connect: 'oms-connect:x' } });
    expect(env).toMatchObject({ OMS_PORT_KAFKA: '49092', OMS_PORT_CUSTOMERS: '43001', OMS_PORT_MYSQL: '3306', OMS_VERSION: '9.9.9', OMS_CONNECT_IMAGE: 'oms-connect:x' });
    expect(env).toMatchObject({ OMS_PORT_KAFKA_2: '49094', OMS_PORT_KAFKA_3: '49096' });
    const portVars = [...variables(text).keys()].filter((v) => v.startsWith('OMS_PORT_'));
    for (const v of portVars) expect(env[v], v).toBeDefined();
    expect(dockerComponents(config, DEFAULT_TOPOLOGY, '127.0.0.1').find((c) => c.id === 'kafka')!.published).toEqual([49092, defaults.ports.kafkaController]);
  });

  it('when nothing overrides them, then the image names match the image plan (public, and offline through the override)', () => {
    const version = omsVersion(root);
    const pub = publicImages(ARTIFACT_VERSIONS);
    const off = offlineImages(ARTIFACT_VERSIONS, 20);
    const image = (s: string) => raw.services[s]!.image.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
    for (const s of ['kafka', 'kafka-2', 'kafka-3']) expect(image(s)).toBe(pub.kafka);
    expect(image('mariadb')).toBe(pub.mariadb);
    expect(image('postgres')).toBe(pub.postgres);
    expect(image('redis')).toBe(pub.redis);
    expect(image('elasticsearch')).toBe(pub.elasticsearch);
    expect(image('connect')).toBe(connectImage(ARTIFACT_VERSIONS));
    for (const s of ['customers', 'products', 'orders', 'orders-stream', 'orders-graph', 'inventory'] as const) expect(image(s)).toBe(serviceImage(s, version));
    for (const s of ['orders-stream-2', 'orders-stream-3', 'orders-stream-4']) expect(image(s)).toBe(serviceImage('orders-stream', version));
    const offImage = (s: string) => offline.services[s]!.image.replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
    expect(Object.keys(offline.services).sort()).toEqual(['elasticsearch', 'kafka', 'kafka-2', 'kafka-3', 'mariadb', 'postgres', 'redis']);
    for (const s of ['kafka', 'kafka-2', 'kafka-3']) expect(offImage(s)).toBe(off.kafka);
    expect(offImage('mariadb')).toBe(off.mariadb);
    expect(offImage('postgres')).toBe(off.postgres);
    expect(offImage('redis')).toBe(off.redis);
    expect(offImage('elasticsearch')).toBe(off.elasticsearch);
  });

  it('when a service starts, then it gets every variable the local runtime gives services, with in-network hosts', () => {
    const settings = defaultLocalSettings(root);
    const service = settings.services[0]!;
    const local = commonServiceEnv({ endpoints: localEndpoints(settings), service, settings });
    for (const s of ['customers', 'products', 'orders', 'orders-stream', 'orders-graph', 'inventory']) {
      const env = file.services[s]!.environment!;
      expect(Object.keys(env).filter((k) => k in local).sort(), s).toEqual(Object.keys(local).sort());
      expect(env).toMatchObject({ HOST: '0.0.0.0', MYSQL_HOST: 'mariadb', PG_HOST: 'postgres', KAFKA_BROKERS: 'kafka:29092', ES_URL: 'http://elasticsearch:9200', REDIS_URL: 'redis://redis:6379' });
    }
    expect(file.services['orders-stream']!.environment).toMatchObject({ INSTANCE_ID: 'docker-1' });
  });

  it('when orders-stream is scaled, then every instance has the first one\'s environment but an INSTANCE_ID of its own (its own transactional id)', () => {
    const { INSTANCE_ID: _first, ...shared } = file.services['orders-stream']!.environment!;
    for (let k = 2; k <= MAX_ORDERS_STREAM; k++) {
      const { INSTANCE_ID: id, ...env } = file.services[`orders-stream-${k}`]!.environment!;
      expect(id).toBe(`docker-${k}`);
      expect(env, `orders-stream-${k}`).toEqual(shared);
    }
  });

  it('when data must survive `oms down`, then every stateful component keeps it in a named volume', () => {
    expect(Object.keys(file.volumes).sort()).toEqual(['elasticsearch-data', 'kafka-2-data', 'kafka-3-data', 'kafka-data', 'mariadb-data', 'postgres-data', 'redis-data']);
    for (const [svc, vol] of [['mariadb', 'mariadb-data'], ['postgres', 'postgres-data'], ['elasticsearch', 'elasticsearch-data'], ['kafka', 'kafka-data'], ['kafka-2', 'kafka-2-data'], ['kafka-3', 'kafka-3-data'], ['redis', 'redis-data']]) {
      expect(file.services[svc!]!.volumes!.some((v) => v.startsWith(`${vol!}:`)), svc).toBe(true);
    }
  });

  it('when Redis starts, then it runs with the local runtime\'s persistence flags (plus the in-network listener)', () => {
    const command = (file.services.redis as ComposeService & { command: string[] }).command;
    expect(command[0]).toBe('redis-server');
    const flags = (args: string[]) => Object.fromEntries(args.flatMap((a, i) => (a.startsWith('--') ? [[a.slice(2), args[i + 1]]] : [])));
    const local = flags(redisArgs({ host: '127.0.0.1', port: 6379, dataDir: '/data' }));
    const { bind: _bind, logfile: _logfile, daemonize: _daemonize, ...persistence } = local;
    expect(flags(command.slice(1))).toMatchObject({ ...persistence, dir: '/data', bind: '0.0.0.0', 'protected-mode': 'no' });
  });

  it('when MariaDB initializes, then it creates the same users and grants as the local runtime', () => {
    const sql = readFileSync(path.join(root, 'compose', 'mariadb', 'init', '10-users.sql'), 'utf8');
    const statements = sql.split('\n').filter((l) => l && !l.startsWith('--')).join('\n');
    expect(statements).toBe(mariadbUsersSql({ user: 'oms', password: 'oms', cdcUser: 'debezium', cdcPassword: 'dbz' }));
  });

  it('when the compose files read a variable, then docs/docker.md documents it', () => {
    const doc = readFileSync(path.join(root, 'docs', 'docker.md'), 'utf8');
    for (const v of new Set([...variables(text).keys(), ...variables(offlineText).keys()])) expect(doc, v).toContain(v.startsWith('OMS_PORT_') ? 'OMS_PORT_' : v);
  });

  it('when offline, then the override file comes after the main file', () => {
    expect(composeFiles('/r', false)).toEqual(['/r/compose/docker-compose.yml']);
    expect(composeFiles('/r', true)).toEqual(['/r/compose/docker-compose.yml', '/r/compose/docker-compose.offline.yml']);
  });
});

/** server.properties entries from a broker's KAFKA_* environment (KAFKA_LOG_DIRS → log.dirs), as the image does. */
function brokerProperties(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => k.startsWith('KAFKA_') && k !== 'KAFKA_HEAP_OPTS').map(([k, v]) => [k.slice('KAFKA_'.length).toLowerCase().replaceAll('_', '.'), v]));
}

function parseProperties(text: string): Record<string, string> {
  return Object.fromEntries(text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
}

/** Entries that differ by design: the listeners (in-network names, an external listener) and paths. */
const PER_RUNTIME = new Set(['listeners', 'advertised.listeners', 'controller.quorum.voters', 'inter.broker.listener.name', 'listener.security.protocol.map', 'log.dirs']);

describe.each([
  { brokers: 1 as const, ordersStream: 1 },
  { brokers: 3 as const, ordersStream: 2 },
])('compose/docker-compose.yml with the CLI\'s variables for $brokers broker(s)', (topology) => {
  const composed = composeWith(composeEnv({ config: defaults, topology, version: '0.1.0', images: {} }));

  it('when each broker starts, then its replication, quorum and session settings are the local runtime\'s for as many brokers', () => {
    const voters = brokerIds(topology).map((_, i) => ({ id: i + 1, controllerPort: brokerPorts(defaults.ports, i + 1).controller }));
    brokerIds(topology).forEach((id, i) => {
      const own = brokerPorts(defaults.ports, i + 1);
      const local = parseProperties(kafkaServerProperties({ host: '127.0.0.1', nodeId: i + 1, port: own.client, controllerPort: own.controller, voters, dataDir: '/d' }));
      const docker = brokerProperties(composed.services[id]!.environment!);
      for (const key of ['node.id', 'default.replication.factor', 'offsets.topic.replication.factor', 'transaction.state.log.replication.factor', 'transaction.state.log.min.isr', 'share.coordinator.state.topic.replication.factor', 'share.coordinator.state.topic.min.isr', 'min.insync.replicas']) {
        expect(docker[key], `${id} ${key}`).toBe(local[key]);
      }
      for (const [key, value] of Object.entries(local)) if (key in docker && !PER_RUNTIME.has(key)) expect(docker[key], `${id} ${key}`).toBe(value);
      // Kafka's default when the local runtime leaves it unset.
      expect(docker['broker.session.timeout.ms'], id).toBe(local['broker.session.timeout.ms'] ?? '9000');
      const ids = (v: string) => v.split(',').map((x) => x.split('@')[0]);
      expect(ids(docker['controller.quorum.voters']!), id).toEqual(ids(local['controller.quorum.voters']!));
      expect(docker['controller.quorum.voters'], id).toBe(brokerIds(topology).map((b, n) => `${n + 1}@${b}:9093`).join(','));
    });
  });

  it('when Connect and the services start, then they bootstrap from every broker and Connect replicates its topics like the local runtime', () => {
    const bootstrap = brokerIds(topology).map((id) => `${id}:29092`).join(',');
    const local = parseProperties(connectWorkerProperties({ host: '127.0.0.1', port: 8083, bootstrapServers: 'x', pluginPath: '/p', replicationFactor: topology.brokers }));
    const connect = composed.services.connect!.environment!;
    expect(connect.CONNECT_BOOTSTRAP_SERVERS).toBe(bootstrap);
    for (const key of ['config.storage.replication.factor', 'offset.storage.replication.factor', 'status.storage.replication.factor']) {
      expect(connect[`CONNECT_${key.toUpperCase().replaceAll('.', '_')}`], key).toBe(local[key]);
    }
    for (const s of ['products', 'orders', 'inventory', 'orders-stream', 'orders-stream-2', 'orders-graph', 'shipping']) expect(composed.services[s]!.environment!.KAFKA_BROKERS, s).toBe(bootstrap);
  });
});
