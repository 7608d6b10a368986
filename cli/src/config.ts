import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { UsageError } from './errors.js';

/**
 * Every setting the CLI reads, in one table: its key, its OMS_* variable, its default and
 * what it means. `oms config` prints this with the effective value and where it came from.
 * Precedence: flags > OMS_* env > oms.config.json > defaults.
 */
export interface SettingSpec {
  key: string;
  env: string;
  doc: string;
  schema: z.ZodType;
  default: (repoRoot: string) => unknown;
}

const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().min(0);
/** true/false, also from env strings: 1/0, true/false, yes/no, on/off. */
const booleanish = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(s)) return true;
  if (['0', 'false', 'no', 'off'].includes(s)) return false;
  return v;
}, z.boolean());

function cacheHome(): string {
  return process.env.XDG_CACHE_HOME ? resolve(process.env.XDG_CACHE_HOME) : join(homedir(), '.cache');
}

export const SETTINGS: SettingSpec[] = [
  { key: 'runtime', env: 'OMS_RUNTIME', doc: 'where the stack runs: local (processes), docker (compose), or auto (the runtime the state dir remembers from the last `oms up`; for a new state dir: local when a local stack or its data is there, else docker when a daemon answers and has images or a registry to pull from, else local)', schema: z.enum(['auto', 'local', 'docker']), default: () => 'auto' },
  { key: 'stateDir', env: 'OMS_STATE_DIR', doc: 'data, logs and pid files of the local runtime, and which runtime the stack uses (runtime.json)', schema: z.string().min(1), default: (root) => join(root, '.oms', 'local') },
  { key: 'cacheDir', env: 'OMS_CACHE_DIR', doc: 'downloaded Kafka, Connect, Debezium and Elasticsearch artifacts', schema: z.string().min(1), default: () => join(cacheHome(), 'oms') },
  { key: 'mysqlFlavor', env: 'OMS_MYSQL_FLAVOR', doc: 'the MySQL-protocol database: mariadb or mysql', schema: z.enum(['mariadb', 'mysql']), default: () => 'mariadb' },
  { key: 'ports.customers', env: 'OMS_PORT_CUSTOMERS', doc: 'customers REST service', schema: port, default: () => 3001 },
  { key: 'ports.products', env: 'OMS_PORT_PRODUCTS', doc: 'products REST service', schema: port, default: () => 3002 },
  { key: 'ports.orders', env: 'OMS_PORT_ORDERS', doc: 'orders REST service', schema: port, default: () => 3003 },
  { key: 'ports.ordersStream', env: 'OMS_PORT_ORDERS_STREAM', doc: 'orders-stream health and metrics', schema: port, default: () => 3004 },
  { key: 'ports.inventory', env: 'OMS_PORT_INVENTORY', doc: 'inventory REST service (stock and reservations)', schema: port, default: () => 3005 },
  { key: 'ports.shipping', env: 'OMS_PORT_SHIPPING', doc: 'shipping REST service (event-sourced shipments)', schema: port, default: () => 3006 },
  { key: 'ports.ordersGraph', env: 'OMS_PORT_ORDERS_GRAPH', doc: 'orders-graph GraphQL service', schema: port, default: () => 4000 },
  { key: 'ports.console', env: 'OMS_PORT_CONSOLE', doc: 'the console web app (started by `oms up` unless --no-console)', schema: port, default: () => 3080 },
  { key: 'ports.kafka', env: 'OMS_PORT_KAFKA', doc: 'Kafka broker', schema: port, default: () => 9092 },
  { key: 'ports.kafkaController', env: 'OMS_PORT_KAFKA_CONTROLLER', doc: 'Kafka KRaft controller', schema: port, default: () => 9093 },
  { key: 'ports.connect', env: 'OMS_PORT_CONNECT', doc: 'Kafka Connect REST API', schema: port, default: () => 8083 },
  { key: 'ports.mysql', env: 'OMS_PORT_MYSQL', doc: 'MariaDB/MySQL', schema: port, default: () => 3306 },
  { key: 'ports.postgres', env: 'OMS_PORT_POSTGRES', doc: 'PostgreSQL', schema: port, default: () => 5432 },
  { key: 'ports.redis', env: 'OMS_PORT_REDIS', doc: 'Redis (the inventory\'s stock and reservations)', schema: port, default: () => 6379 },
  { key: 'ports.elasticsearch', env: 'OMS_PORT_ELASTICSEARCH', doc: 'Elasticsearch HTTP', schema: port, default: () => 9200 },
  { key: 'ports.elasticsearchTransport', env: 'OMS_PORT_ELASTICSEARCH_TRANSPORT', doc: 'Elasticsearch transport (node-to-node; must be free)', schema: port, default: () => 9300 },
  { key: 'seed.products', env: 'OMS_SEED_PRODUCTS', doc: 'products `oms seed` publishes', schema: positiveInt, default: () => 50 },
  { key: 'seed.customers', env: 'OMS_SEED_CUSTOMERS', doc: 'customers `oms seed` creates', schema: positiveInt, default: () => 20 },
  { key: 'seed.orders', env: 'OMS_SEED_ORDERS', doc: 'orders `oms seed` places', schema: positiveInt, default: () => 20 },
  { key: 'timeouts.startSeconds', env: 'OMS_START_TIMEOUT', doc: 'seconds each component may take to become ready', schema: z.coerce.number().int().min(1), default: () => 180 },
  { key: 'docker.project', env: 'OMS_COMPOSE_PROJECT', doc: 'docker runtime: compose project name (prefix of its containers, network and volumes)', schema: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'lower-case letters, digits, dash, underscore'), default: () => 'oms' },
  { key: 'docker.offline', env: 'OMS_DOCKER_OFFLINE', doc: 'docker runtime: build every image from a local Debian base instead of pulling (like --offline)', schema: booleanish, default: () => false },
  { key: 'logLevel', env: 'OMS_LOG_LEVEL', doc: 'log level of the services the CLI starts', schema: z.enum(['trace', 'debug', 'info', 'warn', 'error']), default: () => 'info' },
];

/** The default of a `ports.*` setting (what both runtimes and the docs use unless told otherwise). */
export function defaultPort(key: keyof OmsConfig['ports']): number {
  const spec = SETTINGS.find((s) => s.key === `ports.${key}`);
  if (!spec) throw new Error(`no setting ports.${key}`);
  return port.parse(spec.default(''));
}

export type Source = 'flag' | 'env' | 'file' | 'default';

export interface OmsConfig {
  runtime: 'auto' | 'local' | 'docker';
  stateDir: string;
  cacheDir: string;
  mysqlFlavor: 'mariadb' | 'mysql';
  ports: {
    customers: number;
    products: number;
    orders: number;
    ordersStream: number;
    inventory: number;
    shipping: number;
    ordersGraph: number;
    console: number;
    kafka: number;
    kafkaController: number;
    connect: number;
    mysql: number;
    postgres: number;
    redis: number;
    elasticsearch: number;
    elasticsearchTransport: number;
  };
  seed: { products: number; customers: number; orders: number };
  timeouts: { startSeconds: number };
  docker: { project: string; offline: boolean };
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
}

export interface LoadedConfig {
  config: Readonly<OmsConfig>;
  /** Where each key's value came from. */
  sources: Record<string, Source>;
  /** The config file read, if any. */
  file: string | undefined;
}

export interface LoadConfigInput {
  repoRoot: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Values from flags, by setting key (e.g. `runtime`, `ports.kafka`). */
  flags: Record<string, unknown>;
}

export const CONFIG_FILE = 'oms.config.json';

function flatten(obj: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v as Record<string, unknown>, key));
    else out[key] = v;
  }
  return out;
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Record<string, unknown>;
  }
  node[parts.at(-1)!] = value;
}

/** Reads oms.config.json from cwd, else the repo root. */
function readFileConfig(cwd: string, repoRoot: string): { file: string | undefined; values: Record<string, unknown>; problems: string[] } {
  for (const dir of [cwd, repoRoot]) {
    const file = join(dir, CONFIG_FILE);
    if (!existsSync(file)) continue;
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return { file, values: {}, problems: [`${file}: must hold a JSON object`] };
      return { file, values: flatten(parsed as Record<string, unknown>), problems: [] };
    } catch (err) {
      return { file, values: {}, problems: [`${file}: not valid JSON (${(err as Error).message})`] };
    }
  }
  return { file: undefined, values: {}, problems: [] };
}

/**
 * Resolves every setting once, reporting all problems together as one UsageError.
 * The result is frozen: commands never change config.
 */
export function loadConfig({ repoRoot, cwd, env, flags }: LoadConfigInput): LoadedConfig {
  const fileConfig = readFileConfig(cwd, repoRoot);
  const problems = [...fileConfig.problems];
  const known = new Set(SETTINGS.map((s) => s.key));
  for (const key of Object.keys(fileConfig.values)) {
    if (!known.has(key)) problems.push(`${fileConfig.file!}: unknown setting "${key}"`);
  }
  const config: Record<string, unknown> = {};
  const sources: Record<string, Source> = {};
  for (const spec of SETTINGS) {
    let raw: unknown;
    let source: Source;
    let origin: string;
    if (flags[spec.key] !== undefined) {
      [raw, source, origin] = [flags[spec.key], 'flag', `flag for ${spec.key}`];
    } else if (env[spec.env] !== undefined && env[spec.env] !== '') {
      [raw, source, origin] = [env[spec.env], 'env', spec.env];
    } else if (fileConfig.values[spec.key] !== undefined) {
      [raw, source, origin] = [fileConfig.values[spec.key], 'file', `${CONFIG_FILE} ${spec.key}`];
    } else {
      [raw, source, origin] = [spec.default(repoRoot), 'default', `default ${spec.key}`];
    }
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      problems.push(`${origin}: ${JSON.stringify(raw)} is not valid (${parsed.error.issues.map((i) => i.message).join('; ')})`);
      continue;
    }
    let value = parsed.data;
    if (typeof value === 'string' && (spec.key === 'stateDir' || spec.key === 'cacheDir')) value = resolve(cwd, value);
    setPath(config, spec.key, value);
    sources[spec.key] = source;
  }
  const ports = config.ports as Record<string, number> | undefined;
  if (ports) {
    const byPort = new Map<number, string[]>();
    for (const [name, p] of Object.entries(ports)) byPort.set(p, [...(byPort.get(p) ?? []), name]);
    for (const [p, names] of byPort) if (names.length > 1) problems.push(`port ${p} is assigned to more than one component: ${names.join(', ')}`);
  }
  if (problems.length > 0) {
    throw new UsageError(`invalid configuration (${problems.length} problem${problems.length > 1 ? 's' : ''})`, {
      details: problems,
      hint: 'fix the values above; `oms config` lists every setting, its variable and default',
    });
  }
  return { config: deepFreeze(config) as unknown as OmsConfig, sources, file: fileConfig.file };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
