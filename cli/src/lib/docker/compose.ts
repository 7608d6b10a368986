/**
 * The compose CLI (`docker compose` v2, else `docker-compose` 1.29) on compose/: which files,
 * which environment (the CLI's resolved ports and image names), one invocation at a time.
 */
import path from 'node:path';
import { execa } from 'execa';
import type { OmsConfig } from '../../config.js';
import { ExternalError, PrereqError } from '../../errors.js';
import { brokerIds, brokerPorts, brokerSessionTimeoutMs, MAX_ORDERS_STREAM, ordersStreamPort, replicationOf, type Topology } from '../stack/topology.js';
import { isPullFailure, OFFLINE_HINT } from './client.js';

export interface ComposeCli {
  /** Program and leading arguments: ['docker', 'compose'] or ['docker-compose']. */
  argv: string[];
  version: string;
}

/** Finds compose: OMS_COMPOSE (e.g. "docker-compose") when set, else `docker compose`, else `docker-compose`. */
export async function findCompose(env: NodeJS.ProcessEnv): Promise<ComposeCli | undefined> {
  const candidates = env.OMS_COMPOSE ? [env.OMS_COMPOSE.split(/\s+/).filter(Boolean)] : [['docker', 'compose'], ['docker-compose']];
  for (const argv of candidates) {
    const res = await execa(argv[0]!, [...argv.slice(1), 'version', '--short'], { reject: false, timeout: 15_000, env }).catch(() => undefined);
    if (res?.exitCode === 0 && /^v?\d+\.\d+/.test(res.stdout.trim())) return { argv, version: res.stdout.trim().replace(/^v/, '') };
  }
  return undefined;
}

export async function requireCompose(env: NodeJS.ProcessEnv): Promise<ComposeCli> {
  const cli = await findCompose(env);
  if (!cli) {
    throw new PrereqError('the docker runtime needs Docker Compose: neither `docker compose` nor `docker-compose` works', {
      hint: 'install the compose plugin (apt-get install docker-compose-plugin from Docker\'s repository) or docker-compose (Debian: apt-get install docker-compose), or use `--runtime local`',
    });
  }
  return cli;
}

/** compose/docker-compose.yml, plus the override that selects the offline-built images. */
export function composeFiles(repoRoot: string, offline: boolean): string[] {
  const dir = path.join(repoRoot, 'compose');
  return [path.join(dir, 'docker-compose.yml'), ...(offline ? [path.join(dir, 'docker-compose.offline.yml')] : [])];
}

/** Compose variables for each port setting (the same OMS_PORT_* names the CLI reads). */
export const PORT_VARIABLES: Record<keyof OmsConfig['ports'], string | null> = {
  customers: 'OMS_PORT_CUSTOMERS',
  products: 'OMS_PORT_PRODUCTS',
  orders: 'OMS_PORT_ORDERS',
  ordersStream: 'OMS_PORT_ORDERS_STREAM',
  inventory: 'OMS_PORT_INVENTORY',
  shipping: 'OMS_PORT_SHIPPING',
  ordersGraph: 'OMS_PORT_ORDERS_GRAPH',
  kafka: 'OMS_PORT_KAFKA',
  kafkaController: 'OMS_PORT_KAFKA_CONTROLLER',
  connect: 'OMS_PORT_CONNECT',
  mysql: 'OMS_PORT_MYSQL',
  postgres: 'OMS_PORT_POSTGRES',
  redis: 'OMS_PORT_REDIS',
  elasticsearch: 'OMS_PORT_ELASTICSEARCH',
  // Elasticsearch's transport stays inside the network.
  elasticsearchTransport: null,
  // The console runs on the host, not in compose.
  console: null,
};

/**
 * The compose profiles of the topology's extra services (brokers 2 and 3, orders-stream 2 to 4).
 * The CLI activates both whatever the topology: it starts every service by name, and with
 * every service in the model `down` removes them all (and their volumes).
 */
export const COMPOSE_PROFILES = ['three-brokers', 'scale'] as const;

/** Kafka's own `broker.session.timeout.ms` default (what one broker keeps). */
const KAFKA_DEFAULT_SESSION_TIMEOUT_MS = 9000;

/** Every broker's in-network listener: what services and Connect bootstrap from. */
export function networkBootstrap(t: { brokers: number }): string[] {
  return brokerIds(t).map((id) => `${id}:29092`);
}

/**
 * The variables of the topology: the quorum and the replication (the local runtime's values,
 * from the same functions), every broker for the services' bootstrap, and the host ports of the
 * extra brokers and instances (derived like the local runtime's, lib/stack/topology.ts).
 */
export function topologyEnv(config: OmsConfig, topology: Topology): Record<string, string> {
  const { replicationFactor, minInsync } = replicationOf(topology);
  const env: Record<string, string> = {
    COMPOSE_PROFILES: COMPOSE_PROFILES.join(','),
    OMS_KAFKA_QUORUM_VOTERS: brokerIds(topology).map((id, i) => `${i + 1}@${id}:9093`).join(','),
    OMS_KAFKA_INTERNAL_BOOTSTRAP: networkBootstrap(topology).join(','),
    OMS_KAFKA_REPLICATION_FACTOR: String(replicationFactor),
    OMS_KAFKA_MIN_INSYNC: String(minInsync),
    OMS_KAFKA_BROKER_SESSION_TIMEOUT_MS: String(brokerSessionTimeoutMs(topology) ?? KAFKA_DEFAULT_SESSION_TIMEOUT_MS),
  };
  for (const i of [2, 3]) {
    const ports = brokerPorts(config.ports, i);
    env[`OMS_PORT_KAFKA_${i}`] = String(ports.client);
    env[`OMS_PORT_KAFKA_CONTROLLER_${i}`] = String(ports.controller);
  }
  for (let k = 2; k <= MAX_ORDERS_STREAM; k++) env[`OMS_PORT_ORDERS_STREAM_${k}`] = String(ordersStreamPort(config.ports.ordersStream, k));
  return env;
}

/**
 * The variables compose interpolates, from the CLI's resolved config (so oms.config.json and
 * flags apply too), the topology and the image names of the plan. Other OMS_* variables of
 * the caller's environment (heaps, bind address) pass through untouched.
 */
export function composeEnv(input: { config: OmsConfig; topology: Topology; version: string; images: Record<string, string> }): Record<string, string> {
  const env: Record<string, string> = {
    OMS_VERSION: input.version,
    OMS_LOG_LEVEL: input.config.logLevel,
    OMS_START_TIMEOUT_MS: String(input.config.timeouts.startSeconds * 1000),
    ...topologyEnv(input.config, input.topology),
  };
  for (const [key, variable] of Object.entries(PORT_VARIABLES)) {
    if (variable) env[variable] = String(input.config.ports[key as keyof OmsConfig['ports']]);
  }
  const names: Record<string, string> = { kafka: 'OMS_KAFKA_IMAGE', connect: 'OMS_CONNECT_IMAGE', elasticsearch: 'OMS_ELASTICSEARCH_IMAGE', mariadb: 'OMS_MARIADB_IMAGE', postgres: 'OMS_POSTGRES_IMAGE', redis: 'OMS_REDIS_IMAGE' };
  for (const [id, ref] of Object.entries(input.images)) {
    const variable = names[id];
    if (ref && variable) env[variable] = ref;
  }
  return env;
}

export interface ComposeProject {
  cli: ComposeCli;
  project: string;
  files: string[];
  env: Record<string, string>;
}

let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `compose -p <project> -f … <args>`; one invocation at a time (parallel `up`s of one
 * project race on creating its network). Failures carry compose's last lines.
 */
export async function compose(p: ComposeProject, args: string[], opts: { timeoutMs?: number } = {}): Promise<string> {
  const run = async () => {
    const full = [...p.cli.argv.slice(1), '-p', p.project, ...p.files.flatMap((f) => ['-f', f]), ...args];
    const res = await execa(p.cli.argv[0]!, full, { reject: false, all: true, env: { ...process.env, ...p.env }, timeout: opts.timeoutMs ?? 10 * 60_000 });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- execa leaves the output undefined when the command cannot start (ENOENT), whatever its type says
    const output = res.all ?? '';
    if (res.exitCode !== 0) {
      const lines = output.split('\n').filter(Boolean);
      const portTaken = /port is already allocated|address already in use/i.test(output);
      throw new ExternalError(`\`${p.cli.argv.join(' ')} ${args.join(' ')}\` failed (exit ${res.exitCode ?? 'killed'})`, {
        details: lines.slice(-20),
        hint: isPullFailure(output)
          ? OFFLINE_HINT
          : portTaken
            ? 'a published port is taken: stop what holds it, or move ours (e.g. OMS_PORT_KAFKA=19092 oms up)'
            : 'see the lines above; `oms logs <component>` shows a container\'s output',
      });
    }
    return output;
  };
  const next = queue.then(run, run);
  queue = next.catch(() => undefined);
  return next;
}
