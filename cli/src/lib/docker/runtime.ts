/**
 * The docker runtime: the compose project of compose/ with images built by the CLI. It has
 * the local runtime's shape (lib/stack/types.ts), so `oms up` runs the same topics →
 * connectors → seed steps after it: they only talk to the published ports. Its components,
 * their needs and probes come from the catalogue (lib/stack/catalogue.ts), expanded by the
 * topology (components.ts).
 */
import path from 'node:path';
import { ExternalError, UsageError } from '../../errors.js';
import { needsWithin, selectDown, selectUp } from '../stack/graph.js';
import type { ComponentStatus, LogsOptions, Stack } from '../stack/types.js';
import type { Step } from '../steps.js';
import type { KeepOptions } from '../runtime/keeper.js';
import { describeOutcomes, ensureImages } from './build.js';
import { COMPOSE_PROJECT_LABEL, followContainerLog, projectContainers, projectLeftovers } from './client.js';
import { compose } from './compose.js';
import { keepContainers } from './keeper.js';
import { type DockerParts, type DockerRuntimeOptions, dockerParts } from './parts.js';
import { startStep } from './start.js';

export { omsVersion, type DockerRuntimeOptions } from './parts.js';

/**
 * Where components answer inside the compose network: what the connectors (run by Connect,
 * a container) must use instead of the published 127.0.0.1 ports.
 */
export const NETWORK_ENDPOINTS = {
  mysql: { host: 'mariadb', port: 3306 },
  postgres: { host: 'postgres', port: 5432 },
} as const;

/** Compose's label on a volume: its name in the compose file. */
const COMPOSE_VOLUME_LABEL = 'com.docker.compose.volume';

export interface DockerRuntime extends Stack {
  readonly kind: 'docker';
  readonly project: string;
  readonly offline: boolean;
  /** Builds (or confirms) every image of the plan; `oms build --images` calls this too. */
  ensureImages(opts?: { force?: boolean; onProgress?: (message: string) => void }): Promise<string>;
  /** Runs the keeper over the project's containers until `opts.signal` aborts (see keeper.ts); resolves to why it ended. */
  keep(opts: KeepOptions): Promise<string>;
  /** Whether the project's Kafka volume exists (the data of a cluster formatted for some broker count). */
  kafkaDataExists(): Promise<boolean>;
  /** Stops and removes these services' containers (orders-stream instances beyond a smaller `--scale`). */
  removeServices(ids: string[]): Promise<void>;
}

async function buildImages(parts: DockerParts, opts: { force?: boolean; onProgress?: (message: string) => void }): Promise<string> {
  const { o } = parts;
  const outcomes = await ensureImages({
    docker: parts.docker,
    plan: await parts.plan(),
    workDir: path.join(parts.config.cacheDir, 'docker'),
    debianMirror: o.env.OMS_DEBIAN_MIRROR || 'http://deb.debian.org/debian',
    ...(opts.force ? { force: true } : {}),
    onProgress: opts.onProgress ?? ((m) => o.onProgress('images', m)),
    onLog: (id, line) => o.onDebug(`build ${id}: ${line}`),
  });
  return describeOutcomes(outcomes);
}

function upSteps(parts: DockerParts, only?: string[]): Step[] {
  const selected = selectUp(parts.components, only);
  const images: Step = {
    id: 'images',
    title: parts.o.offline ? 'Docker images (offline: from a local Debian base)' : 'Docker images',
    run: (progress) => buildImages(parts, { onProgress: progress }),
  };
  return [images, ...selected.map((c) => startStep(parts, c, needsWithin(selected, c)))];
}

/** `only`: remove those containers (and what needs them); else compose down and a check that nothing is left. */
function downSteps(parts: DockerParts, opts: { volumes?: boolean; only?: string[] }): Step[] {
  const { o } = parts;
  if (opts.only) {
    const ids = selectDown(parts.components, opts.only).map((c) => c.id);
    const remove: Step = {
      id: 'remove',
      title: `Stop and remove ${ids.join(', ')}`,
      async run() {
        await compose(parts.bareProject(), ['rm', '-s', '-f', '-v', ...ids]);
        return `removed ${ids.length} container${ids.length > 1 ? 's' : ''}`;
      },
    };
    return [remove];
  }
  const down: Step = {
    id: 'compose-down',
    title: `compose down${opts.volumes ? ' -v' : ''} (project ${o.project})`,
    run: async () => {
      await compose(parts.bareProject(), ['down', '--remove-orphans', '-t', '20', ...(opts.volumes ? ['-v'] : [])]);
    },
  };
  const leftovers: Step = {
    id: 'leftovers',
    title: 'Check nothing of the project is left',
    needs: ['compose-down'],
    async run() {
      const left = await projectLeftovers(parts.docker, o.project);
      const problems = [...left.containers.map((c) => `container ${c}`), ...left.networks.map((n) => `network ${n}`), ...(opts.volumes ? left.volumes.map((v) => `volume ${v}`) : [])];
      if (problems.length > 0) throw new ExternalError(`compose down left ${problems.length} thing(s) of project ${o.project} behind`, { details: problems, hint: 'remove them with `docker rm -f` / `docker network rm` / `docker volume rm`' });
      return opts.volumes ? 'no container, network or volume left' : `no container or network left; volumes kept: ${left.volumes.join(', ') || 'none'}`;
    },
  };
  return [down, leftovers];
}

/** What docker says of a container's restarts (its restart policy's count, and its last exit when it restarted); undefined when inspect fails. */
async function restartFacts(parts: DockerParts, id: string): Promise<{ restarts: number; lastExit: string | null } | undefined> {
  try {
    const info = await parts.docker.getContainer(id).inspect();
    const { RestartCount: restarts } = info;
    return { restarts, lastExit: restarts > 0 ? `${info.State.FinishedAt}: exit code ${info.State.ExitCode}` : null };
  } catch {
    return undefined;
  }
}

async function status(parts: DockerParts, logFile: (id: string) => string): Promise<ComponentStatus[]> {
  const containers = await projectContainers(parts.docker, parts.o.project);
  const restarts = await Promise.all(containers.map((ct) => restartFacts(parts, ct.id)));
  return parts.components.map((c): ComponentStatus => {
    const i = containers.findIndex((x) => x.service === c.id);
    const ct = containers[i];
    const running = ct?.state === 'running';
    const restarted = restarts[i];
    return {
      id: c.id,
      title: c.title,
      kind: c.kind,
      pid: null,
      running,
      ready: running && (ct.health === 'healthy' || ct.health === 'none'),
      ports: c.published,
      url: c.url(c.at),
      detail: ct ? `${ct.name}: ${ct.status}` : 'no container',
      logFile: logFile(c.id),
      ...(restarted ?? {}),
    };
  });
}

async function* logs(parts: DockerParts, component: string, opts: LogsOptions): AsyncIterable<string> {
  const c = await parts.containerOf(component);
  if (!c) throw new UsageError(`no ${component} container in project ${parts.o.project}`, { hint: 'is the stack up? `oms status --runtime docker`' });
  yield* followContainerLog(parts.docker, c.id, { lines: opts.lines ?? 100, follow: opts.follow ?? false, ...(opts.signal ? { signal: opts.signal } : {}) });
}

export function createDockerRuntime(o: DockerRuntimeOptions): DockerRuntime {
  const parts = dockerParts(o);
  // compose v2 names containers project-service-1, v1 project_service_1
  const v1 = o.cli.argv[0] === 'docker-compose' && o.cli.version.startsWith('1.');
  const logFile = (component: string) => `docker logs ${v1 ? `${o.project}_${component}_1` : `${o.project}-${component}-1`}`;
  return {
    kind: 'docker',
    project: o.project,
    offline: o.offline,
    componentIds: () => parts.components.map((c) => c.id),
    ensureImages: (opts = {}) => buildImages(parts, opts),
    keep: (opts) => keepContainers(parts.docker, o.project, opts),
    async kafkaDataExists() {
      const { Volumes: volumes } = await parts.docker.listVolumes({ filters: { label: [`${COMPOSE_PROJECT_LABEL}=${o.project}`, `${COMPOSE_VOLUME_LABEL}=kafka-data`] } });
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- Docker answers `"Volumes": null` when there are none; @types/dockerode says otherwise
      return (volumes ?? []).length > 0;
    },
    async removeServices(ids) {
      if (ids.length > 0) await compose(parts.bareProject(), ['rm', '-s', '-f', '-v', ...ids]);
    },
    steps: (opts = {}) => upSteps(parts, opts.only),
    downSteps: (opts = {}) => downSteps(parts, opts),
    status: () => status(parts, logFile),
    logs: (component, opts = {}) => logs(parts, component, opts),
    logFile,
  };
}
