/**
 * Which stack this invocation drives (the local runtime or the docker runtime), built from
 * the CLI's configuration. Every operation that starts, stops or inspects the stack goes
 * through here.
 */
import type { OpsContext } from '../context.js';
import { PrereqError } from '../errors.js';
import type { Endpoints } from '../lib/endpoints.js';
import { connectDocker, daemonMayAnswer, inspectImage, pingDaemon, projectContainers } from '../lib/docker/client.js';
import { findCompose, networkBootstrap } from '../lib/docker/compose.js';
import { offlineImages } from '../lib/docker/images.js';
import { createDockerRuntime, NETWORK_ENDPOINTS, type DockerRuntime } from '../lib/docker/runtime.js';
import { chooseOffline, chooseRuntime, dockerHubReachable, localDataExists, localStackAlive, once, type RuntimeChoice } from '../lib/docker/select.js';
import { ARTIFACT_VERSIONS, createLocalRuntime, defaultLocalSettings, type LocalRuntime, type LocalSettings, withOrdersStreamInstances } from '../lib/runtime/index.js';
import { entryOf } from '../lib/stack/catalogue.js';
import { describeRuntimeSwitch, readRememberedRuntime, rememberRuntime, runtimeFile } from '../lib/stack/runtime-memory.js';
import { topologyOf, type Topology } from '../lib/stack/topology.js';
import type { RuntimeKind, Stack } from '../lib/stack/types.js';

export type { RuntimeChoice, RuntimeKind, Stack };

/** Facts about Docker for this invocation, each gathered at most once. */
function dockerFacts(ctx: OpsContext) {
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

/** Where an explicit runtime came from, as the user would say it (`--runtime docker`, `OMS_RUNTIME=docker`). */
function askedBy(ctx: OpsContext): string {
  const { runtime } = ctx.loaded.config;
  const source = ctx.loaded.sources.runtime;
  if (source === 'env') return `OMS_RUNTIME=${runtime}`;
  if (source === 'file') return `"runtime": "${runtime}" in ${ctx.loaded.file ?? 'oms.config.json'}`;
  return `--runtime ${runtime}`;
}

/**
 * The runtime this invocation drives, and why. `local` and `docker` are kept as asked (docker
 * fails with the fix when no daemon or compose answers); `auto` is decided by chooseRuntime:
 * the runtime the state dir remembers; else a local stack (running, or its data) stays local;
 * else docker when a daemon answers and has something to run; else local. Without a Docker
 * socket (CI, tests) nothing is contacted.
 */
export async function runtimeChoice(ctx: OpsContext, f: DockerFacts = dockerFacts(ctx)): Promise<RuntimeChoice> {
  const { stateDir } = ctx.loaded.config;
  const choice = await chooseRuntime(
    ctx.loaded.config.runtime,
    {
      remembered: () => readRememberedRuntime(stateDir),
      localStackAlive: () => localStackAlive(stateDir),
      localDataExists: () => localDataExists(stateDir),
      dockerConfigured: () => daemonMayAnswer(ctx.env),
      daemonAnswers: async () => (await f.daemon()).ok,
      composeFound: async () => (await f.compose()) !== undefined,
      projectExists: async () => (await f.containers().catch(() => [])).length > 0,
      offlineImagesBuilt: f.offlineBuilt,
      registryReachable: f.registry,
    },
    askedBy(ctx),
  );
  ctx.debug(`runtime: ${choice.kind} (${choice.reason})`);
  return choice;
}

/** The runtime this invocation drives (see {@link runtimeChoice}). */
export async function resolveRuntime(ctx: OpsContext, f: DockerFacts = dockerFacts(ctx)): Promise<RuntimeKind> {
  return (await runtimeChoice(ctx, f)).kind;
}

/**
 * The stack for this invocation and why this runtime: the local runtime, or the docker
 * runtime with its compose CLI and image mode resolved (`offline` from --offline,
 * OMS_DOCKER_OFFLINE, the running stack's images, or no registry + offline images built).
 */
export async function chooseStack(
  ctx: OpsContext,
  opts: { offline?: boolean; onChoice?: (choice: RuntimeChoice) => Promise<void>; topology?: Topology } = {},
): Promise<{ stack: LocalRuntime | DockerRuntime; choice: RuntimeChoice }> {
  const f = dockerFacts(ctx);
  const choice = await runtimeChoice(ctx, f);
  // Before the runtime is checked for what it needs: `up` says what a switch changes even when it then cannot run.
  await opts.onChoice?.(choice);
  const stack = choice.kind === 'local' ? localRuntimeFor(ctx, opts.topology) : await dockerStack(ctx, f, opts.offline ?? false, opts.topology);
  return { stack, choice };
}

/** A stack and why its runtime was chosen (what {@link chooseStack} resolves), for callers that resolve it once. */
export interface ChosenStack {
  stack: Stack;
  choice: RuntimeChoice;
}

/** The stack for this invocation (see {@link chooseStack}); `runtime` overrides the choice. */
export async function stackFor(ctx: OpsContext, opts: { offline?: boolean; runtime?: RuntimeKind } = {}): Promise<LocalRuntime | DockerRuntime> {
  if (opts.runtime === 'local') return localRuntimeFor(ctx);
  if (opts.runtime === 'docker') return dockerStack(ctx, dockerFacts(ctx), opts.offline ?? false);
  return (await chooseStack(ctx, opts)).stack;
}

/**
 * What a runtime other than the remembered one changes, for `up` and `reset` to say before
 * they start anything; undefined when it is the remembered one (or none is remembered).
 */
export async function runtimeSwitchNotice(ctx: OpsContext, kind: RuntimeKind): Promise<string | undefined> {
  const { config } = ctx.loaded;
  return describeRuntimeSwitch(await readRememberedRuntime(config.stateDir), kind, { stateDir: config.stateDir, project: config.docker.project, askedBy: askedBy(ctx) });
}

/**
 * Records `kind` as this state dir's runtime, once `up` or `reset` is about to start it. An
 * unwritable state dir is the user's to fix (exit 3 with the fix), not a bug's stack trace.
 */
export async function rememberStackRuntime(ctx: OpsContext, kind: RuntimeKind): Promise<void> {
  const { stateDir } = ctx.loaded.config;
  await rememberRuntime(stateDir, kind).catch((err: unknown) => {
    throw new PrereqError(`cannot write ${runtimeFile(stateDir)} (${err instanceof Error ? err.message : String(err)})`, {
      cause: err,
      hint: 'the state dir must be writable: fix its permissions, or choose another with OMS_STATE_DIR / --state-dir',
    });
  });
}

/** The docker runtime, whatever `--runtime` says (`oms build --images` needs it directly). */
export async function dockerRuntimeFor(ctx: OpsContext, opts: { offline?: boolean } = {}): Promise<DockerRuntime> {
  return dockerStack(ctx, dockerFacts(ctx), opts.offline ?? false);
}

/** The docker runtime for `topology` (by default the one the state dir remembers, as the local runtime's). */
async function dockerStack(ctx: OpsContext, f: DockerFacts, askedOffline: boolean, topology: Topology = topologyOf(ctx.loaded.config.stateDir)): Promise<DockerRuntime> {
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
  ctx.debug(`docker runtime: ${offline.offline ? 'offline' : 'public'} images (${offline.reason}); compose ${cli.argv.join(' ')} ${cli.version}; daemon ${daemon.info.version}`);
  return createDockerRuntime({
    docker: f.docker,
    cli,
    config: ctx.loaded.config,
    repoRoot: ctx.repoRoot,
    project: ctx.loaded.config.docker.project,
    offline: offline.offline,
    topology,
    env: ctx.env,
    onProgress: (component, message) => ctx.debug(`${component}: ${message}`),
    onDebug: (message) => ctx.debug(message),
  });
}

/**
 * Connector template values for a runtime: the local runtime's connectors reach MariaDB,
 * PostgreSQL and Kafka on 127.0.0.1; the docker runtime's (run by Connect, a container)
 * by their service names inside the compose network, every broker of the stack.
 */
export function connectorHosts(kind: RuntimeKind, endpoints: Endpoints): { endpoints: Endpoints; hosts?: { mysqlHost: string; pgHost: string; kafkaBootstrap: string } } {
  if (kind === 'local') return { endpoints };
  const kafkaBrokers = networkBootstrap({ brokers: endpoints.kafkaBrokers.length });
  return {
    endpoints: {
      ...endpoints,
      mysql: { ...endpoints.mysql, host: NETWORK_ENDPOINTS.mysql.host, port: NETWORK_ENDPOINTS.mysql.port },
      postgres: { ...endpoints.postgres, host: NETWORK_ENDPOINTS.postgres.host, port: NETWORK_ENDPOINTS.postgres.port },
      kafkaBrokers,
    },
    hosts: { mysqlHost: NETWORK_ENDPOINTS.mysql.host, pgHost: NETWORK_ENDPOINTS.postgres.host, kafkaBootstrap: kafkaBrokers.join(',') },
  };
}

/**
 * Local runtime settings from the CLI config (ports, dirs, timeouts, log level) and the
 * topology (brokers, orders-stream instances; by default the one the state dir remembers).
 */
export function localSettingsFor(ctx: OpsContext, topology: Topology = topologyOf(ctx.loaded.config.stateDir)): LocalSettings {
  const { config } = ctx.loaded;
  const base = defaultLocalSettings(ctx.repoRoot);
  const timeoutMs = config.timeouts.startSeconds * 1000;
  return {
    ...base,
    stateDir: config.stateDir,
    cacheDir: config.cacheDir,
    ports: {
      ...base.ports,
      mariadb: config.ports.mysql,
      postgres: config.ports.postgres,
      redis: config.ports.redis,
      elasticsearch: config.ports.elasticsearch,
      elasticsearchTransport: config.ports.elasticsearchTransport,
      kafka: config.ports.kafka,
      kafkaController: config.ports.kafkaController,
      connect: config.ports.connect,
    },
    readyTimeoutMs: { ...Object.fromEntries(Object.keys(base.readyTimeoutMs).map((k) => [k, timeoutMs])), service: timeoutMs },
    brokers: topology.brokers,
    services: withOrdersStreamInstances(
      base.services.map((s) => {
        const entry = entryOf(s.name);
        return { ...s, port: entry ? config.ports[entry.ports[0]!] : s.port };
      }),
      topology.ordersStream,
    ),
    logLevel: config.logLevel,
  };
}

/**
 * The local runtime for this invocation (whatever `--runtime` says: callers that can drive
 * either runtime use {@link stackFor}); its progress lines go to the debug channel.
 */
export function localRuntimeFor(ctx: OpsContext, topology?: Topology): LocalRuntime {
  return createLocalRuntime(localSettingsFor(ctx, topology), { onProgress: ({ component, message }) => ctx.debug(`${component}: ${message}`) });
}
