import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultPort } from '../../config.js';
import { CATALOGUE, STACK_CREDENTIALS } from '../stack/catalogue.js';
import { type BrokerCount, kafkaBootstrap, ordersStreamId, ordersStreamPort } from '../stack/topology.js';

export { STACK_CREDENTIALS };

/** Where every local component answers; what later steps (topics, connectors, seed, smoke) use. */
export interface LocalEndpoints {
  mysql: { host: string; port: number; user: string; password: string; cdcUser: string; cdcPassword: string };
  postgres: { host: string; port: number; user: string; password: string; database: string };
  redisUrl: string;
  elasticsearchUrl: string;
  kafkaBrokers: string[];
  connectUrl: string;
  /** Base URL of each service, by name (`customers` → `http://127.0.0.1:3001`). */
  services: Record<string, string>;
}

/** What a service's env builder gets. */
export interface ServiceEnvContext {
  endpoints: LocalEndpoints;
  service: ServiceDefinition;
  settings: LocalSettings;
}

/**
 * A Node service the runtime supervises: `node <entry>` with the env from `env`, ready when
 * `GET http://127.0.0.1:<port><healthPath>` answers 200. Plain data, so the CLI can add or
 * drop services (orders-stream) without touching the runtime.
 */
export interface ServiceDefinition {
  name: string;
  port: number;
  /** Entry file, relative to the repo root (or absolute). */
  entry: string;
  /** Defaults to `/health`. */
  healthPath?: string;
  /** Components (infra or services) that must be ready first. Default: the catalogue's, else none. */
  needs?: string[];
  /** Environment of the process; defaults to {@link commonServiceEnv}. */
  env?: (ctx: ServiceEnvContext) => Record<string, string>;
}

export interface LocalPorts {
  mariadb: number;
  postgres: number;
  redis: number;
  elasticsearch: number;
  /** Elasticsearch's transport port (not used by clients, but it must be free). */
  elasticsearchTransport: number;
  kafka: number;
  kafkaController: number;
  connect: number;
}

/** Everything the local runtime needs to know; see {@link defaultLocalSettings}. */
export interface LocalSettings {
  /** Monorepo root: services are started from here. */
  repoRoot: string;
  /** Data dirs, logs, pid files. Default `<repo>/.oms/local`. */
  stateDir: string;
  /** Downloaded artifacts (Kafka, Debezium, Elasticsearch). Default `${XDG_CACHE_HOME:-~/.cache}/oms`. */
  cacheDir: string;
  /** Always 127.0.0.1: the local runtime never listens on other interfaces. */
  host: string;
  ports: LocalPorts;
  /**
   * Kafka brokers: 1, or 3 KRaft voters (`kafka`, `kafka-2`, `kafka-3`, each broker and
   * controller in one JVM) on the ports `brokerPorts` derives from `ports.kafka*`.
   */
  brokers: BrokerCount;
  mysql: { user: string; password: string; cdcUser: string; cdcPassword: string };
  postgres: { user: string; password: string; database: string; databases: string[] };
  /** JVM max heaps, e.g. `512m`. */
  heap: { elasticsearch: string; kafka: string; connect: string };
  /** Readiness timeouts in ms, by infra component id; `service` applies to every service. */
  readyTimeoutMs: Record<string, number> & { service: number };
  /** Java home to use for the JVMs; found automatically when unset. */
  javaHome?: string;
  /** When root: the system user Elasticsearch and PostgreSQL run as (both refuse root). */
  systemUser: string;
  services: ServiceDefinition[];
  /** LOG_LEVEL given to services. */
  logLevel: string;
}

/** The environment every service gets: ports and credentials of all infra and sibling services. */
export function commonServiceEnv({ endpoints, service, settings }: ServiceEnvContext): Record<string, string> {
  return {
    PORT: String(service.port),
    HOST: settings.host,
    MYSQL_HOST: endpoints.mysql.host,
    MYSQL_PORT: String(endpoints.mysql.port),
    MYSQL_USER: endpoints.mysql.user,
    MYSQL_PASSWORD: endpoints.mysql.password,
    PG_HOST: endpoints.postgres.host,
    PG_PORT: String(endpoints.postgres.port),
    PG_USER: endpoints.postgres.user,
    PG_PASSWORD: endpoints.postgres.password,
    PG_DATABASE: endpoints.postgres.database,
    ES_URL: endpoints.elasticsearchUrl,
    REDIS_URL: endpoints.redisUrl,
    KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
    CUSTOMERS_URL: endpoints.services.customers ?? '',
    PRODUCTS_URL: endpoints.services.products ?? '',
    INVENTORY_URL: endpoints.services.inventory ?? '',
    LOG_LEVEL: settings.logLevel,
    // Each service waits this long for its dependencies before it gives up (`oms up`'s own wait).
    START_TIMEOUT_MS: String(settings.readyTimeoutMs.service),
  };
}

/** The shipping service's own PostgreSQL database (its event store, outbox and projection). */
export const SHIPPING_DATABASE = 'shipping';

/**
 * The services of the catalogue on their default ports, each `node services/<id>/dist/server.js`.
 * orders-stream gets a stable instance id, so a restarted processor fences its killed
 * predecessor's open transaction at once, and a shorter session, so it takes over the
 * partitions of a killed one in ~10 s, not 30.
 */
export function defaultServices(): ServiceDefinition[] {
  return CATALOGUE.filter((c) => c.kind === 'service').map((c) => ({
    name: c.id,
    port: defaultPort(c.ports[0]!),
    entry: `services/${c.id}/dist/server.js`,
    ...(c.id === 'orders-stream' ? { env: ordersStreamEnv(1) } : {}),
    // Shipping keeps its event store in a database of its own, beside the read model's.
    ...(c.id === 'shipping' ? { env: (e: ServiceEnvContext) => ({ ...commonServiceEnv(e), PG_DATABASE: SHIPPING_DATABASE }) } : {}),
  }));
}

/**
 * orders-stream instance `k`'s env: its own INSTANCE_ID, so each instance has a transactional
 * id of its own (`<group>-local-<k>`: two producers sharing one would fence each other) while
 * all share the consumer group, and a restarted instance fences its own killed predecessor.
 */
function ordersStreamEnv(k: number): (e: ServiceEnvContext) => Record<string, string> {
  return (e) => ({ ...commonServiceEnv(e), INSTANCE_ID: `local-${k}`, KAFKA_SESSION_TIMEOUT_MS: '10000' });
}

/**
 * `services` with orders-stream run as `instances` processes in one consumer group:
 * `orders-stream`, `orders-stream-2`, … (ports from {@link ordersStreamPort}).
 */
export function withOrdersStreamInstances(services: readonly ServiceDefinition[], instances: number): ServiceDefinition[] {
  return services.flatMap((s) => {
    if (s.name !== 'orders-stream') return [s];
    return Array.from({ length: instances }, (_, i): ServiceDefinition => {
      const k = i + 1;
      return k === 1 ? s : { ...s, name: ordersStreamId(k), port: ordersStreamPort(s.port, k), needs: s.needs ?? ['kafka'], env: ordersStreamEnv(k) };
    });
  });
}

/** `${XDG_CACHE_HOME:-~/.cache}/oms` */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'oms');
}

/** The defaults: the CLI's default ports, the stack's credentials, small heaps, state dir `<repo>/.oms/local`. */
export function defaultLocalSettings(repoRoot: string = findRepoRoot()): LocalSettings {
  return {
    repoRoot,
    stateDir: path.join(repoRoot, '.oms', 'local'),
    cacheDir: defaultCacheDir(),
    host: '127.0.0.1',
    ports: {
      mariadb: defaultPort('mysql'),
      postgres: defaultPort('postgres'),
      redis: defaultPort('redis'),
      elasticsearch: defaultPort('elasticsearch'),
      elasticsearchTransport: defaultPort('elasticsearchTransport'),
      kafka: defaultPort('kafka'),
      kafkaController: defaultPort('kafkaController'),
      connect: defaultPort('connect'),
    },
    brokers: 1,
    mysql: { ...STACK_CREDENTIALS.mysql },
    // `shipping` is created here too (the service would create it), so its connector can be
    // submitted whatever the order the services come up in.
    postgres: { ...STACK_CREDENTIALS.postgres, databases: ['oms', STACK_CREDENTIALS.postgres.database, SHIPPING_DATABASE] },
    heap: { elasticsearch: '384m', kafka: '512m', connect: '512m' },
    readyTimeoutMs: {
      mariadb: 60_000,
      postgres: 60_000,
      redis: 60_000,
      elasticsearch: 180_000,
      kafka: 120_000,
      connect: 180_000,
      service: 60_000,
    },
    systemUser: 'oms',
    services: defaultServices(),
    logLevel: 'info',
  };
}

/** Shifts every port (infra and services) by `offset`: lets a second stack run beside the first. */
export function withPortOffset(settings: LocalSettings, offset: number): LocalSettings {
  const ports = Object.fromEntries(Object.entries(settings.ports).map(([k, v]: [string, number]) => [k, v + offset])) as unknown as LocalPorts;
  return { ...settings, ports, services: settings.services.map((s) => ({ ...s, port: s.port + offset })) };
}

/** Endpoints of a stack started with `settings` (pure: nothing is probed). */
export function localEndpoints(settings: LocalSettings): LocalEndpoints {
  const h = settings.host;
  return {
    mysql: { host: h, port: settings.ports.mariadb, ...settings.mysql },
    postgres: {
      host: h,
      port: settings.ports.postgres,
      user: settings.postgres.user,
      password: settings.postgres.password,
      database: settings.postgres.database,
    },
    redisUrl: `redis://${h}:${settings.ports.redis}`,
    elasticsearchUrl: `http://${h}:${settings.ports.elasticsearch}`,
    kafkaBrokers: kafkaBootstrap(h, settings.ports, { brokers: settings.brokers }),
    connectUrl: `http://${h}:${settings.ports.connect}`,
    services: Object.fromEntries(settings.services.map((s) => [s.name, `http://${h}:${s.port}`])),
  };
}

/** The monorepo root: the nearest ancestor of `from` whose package.json declares workspaces. */
export function findRepoRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = path.resolve(from);
  for (;;) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { workspaces?: unknown }).workspaces) return dir;
      } catch {
        // not a readable package.json: keep walking up
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no monorepo root (package.json with workspaces) above ${from}`);
    dir = parent;
  }
}

/** cli/runtime: the Maven pom and config templates shipped with the CLI (same depth from src/ and dist/). */
export function runtimeAssetsDir(): string {
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'runtime');
}
