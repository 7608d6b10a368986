import type { Context } from '../context.js';
import { PrereqError } from '../errors.js';
import type { Endpoints } from './endpoints.js';
import { connectDocker, daemonMayAnswer, inspectImage, pingDaemon, projectContainers } from './docker/client.js';
import { findCompose } from './docker/compose.js';
import { offlineImages } from './docker/images.js';
import { createDockerRuntime, NETWORK_ENDPOINTS, type DockerRuntime } from './docker/runtime.js';
import { chooseOffline, chooseRuntime, dockerHubReachable, localStackAlive, once } from './docker/select.js';
import {
  ARTIFACT_VERSIONS,
  commonServiceEnv,
  createLocalRuntime,
  defaultLocalSettings,
  ordersStreamService,
  type ComponentStatus,
  type LocalRuntime,
  type LogsOptions,
  type LocalSettings,
  type ServiceDefinition,
} from './runtime/index.js';

export const SERVICE_NAMES = ['customers', 'products', 'orders', 'orders-stream', 'orders-graph'] as const;

export type RuntimeKind = 'local' | 'docker';

/** A step of up/down; `progress` receives lines worth showing while it runs (image builds). */
export interface StackStep {
  id: string;
  title: string;
  needs: string[];
  run(progress?: (message: string) => void): Promise<string | void>;
}

/** What up/down/status/logs drive: the local runtime or the docker runtime, same shape. */
export interface Stack {
  kind: RuntimeKind;
  componentIds(): string[];
  steps(opts?: { only?: string[] }): StackStep[];
  downSteps(opts?: { volumes?: boolean; only?: string[] }): StackStep[];
  status(): Promise<ComponentStatus[]>;
  logs(component: string, opts?: LogsOptions): AsyncIterable<string>;
  logFile(component: string): string;
}

/** Facts about Docker for this invocation, each gathered at most once. */
function dockerFacts(ctx: Context) {
  const docker = connectDocker(ctx.env);
  const daemon = once(() => pingDaemon(docker, 2000));
  const registry = once(async () => {
    const d = await daemon();
    // A daemon with a registry mirror pulls without Docker Hub.
    return (d.ok && d.info.mirrors.length > 0) || dockerHubReachable();
  });
  const offlineBuilt = once(async () => (await inspectImage(docker, offlineImages(ARTIFACT_VERSIONS, 20).base)) !== undefined);
  const containers = once(() => projectContainers(docker, ctx.loaded.config.docker.project));
  const compose = once(() => findCompose(ctx.env));
  return { docker, daemon, registry, offlineBuilt, containers, compose };
}
type DockerFacts = ReturnType<typeof dockerFacts>;

/**
 * The runtime this invocation drives. `local` and `docker` are kept as asked (docker fails
 * with the fix when no daemon or compose answers); `auto` is decided by chooseRuntime:
 * a running local stack stays local; else docker when a daemon answers and has something to
 * run; else local. Without a Docker socket (CI, tests) nothing is contacted.
 */
export async function resolveRuntime(ctx: Context, f: DockerFacts = dockerFacts(ctx)): Promise<RuntimeKind> {
  const choice = await chooseRuntime(ctx.loaded.config.runtime, {
    localStackAlive: () => localStackAlive(ctx.loaded.config.stateDir),
    dockerConfigured: () => daemonMayAnswer(ctx.env),
    daemonAnswers: async () => (await f.daemon()).ok,
    composeFound: async () => (await f.compose()) !== undefined,
    projectExists: async () => (await f.containers().catch(() => [])).length > 0,
    offlineImagesBuilt: f.offlineBuilt,
    registryReachable: f.registry,
  });
  ctx.out.debug(`runtime: ${choice.kind} (${choice.reason})`);
  return choice.kind;
}

/**
 * The stack for this invocation: the local runtime, or the docker runtime with its compose
 * CLI and image mode resolved (`offline` from --offline, OMS_DOCKER_OFFLINE, the running
 * stack's images, or no registry + offline images built).
 */
export async function stackFor(ctx: Context, opts: { offline?: boolean; runtime?: RuntimeKind } = {}): Promise<Stack> {
  const f = dockerFacts(ctx);
  const kind = opts.runtime ?? (await resolveRuntime(ctx, f));
  if (kind === 'local') return Object.assign(runtimeFor(ctx), { kind: 'local' as const });
  return dockerStack(ctx, f, opts.offline ?? false);
}

/** The docker runtime, whatever `--runtime` says (`oms build --images` needs it directly). */
export async function dockerRuntimeFor(ctx: Context, opts: { offline?: boolean } = {}): Promise<DockerRuntime> {
  return dockerStack(ctx, dockerFacts(ctx), opts.offline ?? false);
}

async function dockerStack(ctx: Context, f: DockerFacts, askedOffline: boolean): Promise<DockerRuntime> {
  const daemon = await f.daemon();
  if (!daemon.ok) {
    throw new PrereqError(`the docker runtime needs a Docker daemon, and none answers (${daemon.reason})`, {
      hint: 'start it (`sudo systemctl start docker`, or `sudo dockerd &`; install with `sudo apt-get install -y docker.io`), or use `--runtime local`',
    });
  }
  const cli = await f.compose();
  if (!cli) {
    throw new PrereqError('the docker runtime needs Docker Compose: neither `docker compose` nor `docker-compose` works', {
      hint: 'install the compose plugin (docker-compose-plugin from Docker\'s apt repository) or docker-compose 1.29 (Debian: `sudo apt-get install -y docker-compose`), or use `--runtime local`',
    });
  }
  if (ctx.loaded.config.mysqlFlavor !== 'mariadb') {
    throw new PrereqError('the docker runtime runs MariaDB only', { hint: 'unset OMS_MYSQL_FLAVOR (or set it to mariadb)' });
  }
  const offline = await chooseOffline(askedOffline || ctx.loaded.config.docker.offline, {
    projectUsesOfflineImages: async () => {
      const kafka = (await f.containers()).find((c) => c.service === 'kafka');
      return kafka ? kafka.image === offlineImages(ARTIFACT_VERSIONS, 20, ctx.env).kafka : undefined;
    },
    registryReachable: f.registry,
    offlineImagesBuilt: f.offlineBuilt,
  });
  ctx.out.debug(`docker runtime: ${offline.offline ? 'offline' : 'public'} images (${offline.reason}); compose ${cli.argv.join(' ')} ${cli.version}; daemon ${daemon.info.version}`);
  return createDockerRuntime({
    docker: f.docker,
    cli,
    config: ctx.loaded.config,
    repoRoot: ctx.repoRoot,
    project: ctx.loaded.config.docker.project,
    offline: offline.offline,
    env: ctx.env,
    onProgress: (component, message) => ctx.out.debug(`${component}: ${message}`),
    onDebug: (message) => ctx.out.debug(message),
  });
}

/**
 * Connector template values for a runtime: the local runtime's connectors reach MariaDB,
 * PostgreSQL and Kafka on 127.0.0.1; the docker runtime's (run by Connect, a container)
 * by their service names inside the compose network.
 */
export function connectorHosts(kind: RuntimeKind, endpoints: Endpoints): { endpoints: Endpoints; hosts?: { mysqlHost: string; pgHost: string; kafkaBootstrap: string } } {
  if (kind === 'local') return { endpoints };
  return {
    endpoints: {
      ...endpoints,
      mysql: { ...endpoints.mysql, host: NETWORK_ENDPOINTS.mysql.host, port: NETWORK_ENDPOINTS.mysql.port },
      postgres: { ...endpoints.postgres, host: NETWORK_ENDPOINTS.postgres.host, port: NETWORK_ENDPOINTS.postgres.port },
      kafkaBrokers: [NETWORK_ENDPOINTS.kafkaBootstrap],
    },
    hosts: { mysqlHost: NETWORK_ENDPOINTS.mysql.host, pgHost: NETWORK_ENDPOINTS.postgres.host, kafkaBootstrap: NETWORK_ENDPOINTS.kafkaBootstrap },
  };
}

/** Local runtime settings from the CLI config (ports, dirs, timeouts, log level). */
export function localSettingsFor(ctx: Context): LocalSettings {
  const { config } = ctx.loaded;
  const base = defaultLocalSettings(ctx.repoRoot);
  const servicePorts: Record<string, number> = {
    customers: config.ports.customers,
    products: config.ports.products,
    orders: config.ports.orders,
    'orders-stream': config.ports.ordersStream,
    'orders-graph': config.ports.ordersGraph,
  };
  const timeoutMs = config.timeouts.startSeconds * 1000;
  const ordersStream: ServiceDefinition = {
    ...ordersStreamService,
    // A stable instance id lets a restarted processor fence its killed predecessor's open transaction at once.
    // A shorter session lets a restarted processor take over a killed one's partitions in ~10 s, not 30.
    env: (c) => ({ ...commonServiceEnv(c), INSTANCE_ID: 'local-1', KAFKA_SESSION_TIMEOUT_MS: '10000' }),
  };
  return {
    ...base,
    stateDir: config.stateDir,
    cacheDir: config.cacheDir,
    ports: {
      ...base.ports,
      mariadb: config.ports.mysql,
      postgres: config.ports.postgres,
      elasticsearch: config.ports.elasticsearch,
      elasticsearchTransport: config.ports.elasticsearchTransport,
      kafka: config.ports.kafka,
      kafkaController: config.ports.kafkaController,
      connect: config.ports.connect,
    },
    readyTimeoutMs: Object.fromEntries(Object.keys(base.readyTimeoutMs).map((k) => [k, timeoutMs])) as LocalSettings['readyTimeoutMs'],
    services: [...base.services, ordersStream].map((s) => ({ ...s, port: servicePorts[s.name] ?? s.port })),
    logLevel: config.logLevel,
  };
}

/**
 * The local runtime for this invocation (whatever `--runtime` says: callers that can drive
 * either runtime use {@link stackFor}); progress lines go to the output's debug channel.
 */
export function runtimeFor(ctx: Context): LocalRuntime {
  return createLocalRuntime(localSettingsFor(ctx), { onProgress: ({ component, message }) => ctx.out.debug(`${component}: ${message}`) });
}
