/**
 * The docker runtime: the compose project of compose/ with images built by the CLI. It offers
 * the local runtime's shape (steps, downSteps, status, logs), so `oms up` runs the same
 * topics → connectors → seed steps after it: they only talk to the published ports.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OmsConfig } from '../../config.js';
import { CheckFailedError, ExternalError, PrereqError, UsageError } from '../../errors.js';
import type { ComponentStatus, LogsOptions } from '../runtime/index.js';
import { describeHolder, takenPorts } from '../runtime/ports.js';
import { type Probe, probeConnect, probeElasticsearch, probeHttpHealth, probeKafka, probeMysql, probePostgres } from '../runtime/probes.js';
import { ARTIFACT_VERSIONS } from '../runtime/artifacts.js';
import { type Docker, containerLogTail, followContainerLog, inspectImage, type ProjectContainer, projectContainers, projectLeftovers } from './client.js';
import { describeOutcomes, ensureImages, planImages } from './build.js';
import { type ComposeCli, type ComposeProject, compose, composeEnv, composeFiles, publishedPorts } from './compose.js';
import type { ImageSpec } from './images.js';

/** One container of the compose file, in start order; `needs` mirrors its depends_on. */
export interface DockerComponent {
  id: string;
  title: string;
  kind: 'infra' | 'service';
  needs: string[];
}

export const DOCKER_COMPONENTS: readonly DockerComponent[] = [
  { id: 'mariadb', title: 'MariaDB', kind: 'infra', needs: [] },
  { id: 'postgres', title: 'PostgreSQL', kind: 'infra', needs: [] },
  { id: 'elasticsearch', title: 'Elasticsearch', kind: 'infra', needs: [] },
  { id: 'kafka', title: 'Kafka', kind: 'infra', needs: [] },
  { id: 'connect', title: 'Kafka Connect', kind: 'infra', needs: ['kafka'] },
  { id: 'customers', title: 'customers service', kind: 'service', needs: ['mariadb'] },
  { id: 'products', title: 'products service', kind: 'service', needs: ['elasticsearch', 'kafka'] },
  { id: 'orders', title: 'orders service', kind: 'service', needs: ['mariadb', 'customers', 'products'] },
  { id: 'orders-stream', title: 'orders-stream processor', kind: 'service', needs: ['kafka'] },
  { id: 'orders-graph', title: 'orders-graph service', kind: 'service', needs: ['postgres'] },
];

/**
 * Where components answer inside the compose network: what the connectors (run by Connect,
 * a container) must use instead of the published 127.0.0.1 ports.
 */
export const NETWORK_ENDPOINTS = {
  mysql: { host: 'mariadb', port: 3306 },
  postgres: { host: 'postgres', port: 5432 },
  kafkaBootstrap: 'kafka:29092',
} as const;

/** Components to start for `only` (plus what they need), in start order. */
export function selectUp(only: string[] | undefined): DockerComponent[] {
  const byId = new Map(DOCKER_COMPONENTS.map((c) => [c.id, c]));
  const wanted = new Set(only ?? DOCKER_COMPONENTS.map((c) => c.id));
  const unknown = [...wanted].filter((id) => !byId.has(id));
  if (unknown.length > 0) throw new UsageError(`unknown component${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, { hint: `known: ${[...byId.keys()].join(', ')}` });
  const add = (id: string) => {
    for (const need of byId.get(id)!.needs) {
      if (!wanted.has(need)) {
        wanted.add(need);
        add(need);
      }
    }
  };
  for (const id of [...wanted]) add(id);
  return DOCKER_COMPONENTS.filter((c) => wanted.has(c.id));
}

/** Components to stop for `only` (plus what needs them). */
export function selectDown(only: string[]): DockerComponent[] {
  selectUp(only);
  const wanted = new Set(only);
  let grew = true;
  while (grew) {
    grew = false;
    for (const c of DOCKER_COMPONENTS) {
      if (!wanted.has(c.id) && c.needs.some((n) => wanted.has(n))) {
        wanted.add(c.id);
        grew = true;
      }
    }
  }
  return DOCKER_COMPONENTS.filter((c) => wanted.has(c.id));
}

export interface DockerRuntimeOptions {
  docker: Docker;
  cli: ComposeCli;
  config: OmsConfig;
  repoRoot: string;
  /** Compose project name (containers, network and volumes are prefixed with it). */
  project: string;
  offline: boolean;
  /** Caller's environment: OMS_*_IMAGE overrides, heaps, bind address. */
  env: NodeJS.ProcessEnv;
  onProgress: (component: string, message: string) => void;
  onDebug: (message: string) => void;
}

/** A step of up/down (the shape of the local runtime's, plus progress lines). */
export interface DockerStep {
  id: string;
  title: string;
  needs: string[];
  run(progress?: (message: string) => void): Promise<string | void>;
}

export interface DockerRuntime {
  readonly kind: 'docker';
  readonly project: string;
  readonly offline: boolean;
  componentIds(): string[];
  steps(opts?: { only?: string[] }): DockerStep[];
  downSteps(opts?: { volumes?: boolean; only?: string[] }): DockerStep[];
  status(): Promise<ComponentStatus[]>;
  logs(component: string, opts?: LogsOptions): AsyncIterable<string>;
  logFile(component: string): string;
  /** Builds (or confirms) every image of the plan; `oms build --images` calls this too. */
  ensureImages(opts?: { force?: boolean; onProgress?: (message: string) => void }): Promise<string>;
}

/** The OMS version: the service images' tag. */
export function omsVersion(repoRoot: string): string {
  return (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

export function createDockerRuntime(o: DockerRuntimeOptions): DockerRuntime {
  const { docker, config } = o;
  const version = omsVersion(o.repoRoot);
  const host = '127.0.0.1';
  const timeoutMs = Math.max(config.timeouts.startSeconds * 1000, 10_000);
  let plan: ImageSpec[] | undefined;

  const getPlan = async (): Promise<ImageSpec[]> => {
    plan ??= await planImages({
      offline: o.offline,
      version,
      versions: ARTIFACT_VERSIONS,
      composeDir: path.join(o.repoRoot, 'compose'),
      repoRoot: o.repoRoot,
      env: o.env,
      cacheDir: config.cacheDir,
      onProgress: (m) => o.onProgress('images', m),
    });
    return plan;
  };

  const project = async (): Promise<ComposeProject> => {
    const refs = Object.fromEntries((await getPlan()).filter((i) => ['kafka', 'connect', 'elasticsearch', 'mariadb', 'postgres'].includes(i.id)).map((i) => [i.id, i.ref]));
    return { cli: o.cli, project: o.project, files: composeFiles(o.repoRoot, o.offline), env: composeEnv({ config, version, images: refs }) };
  };
  // down, logs and status need no plan: the project's labels find everything.
  const bareProject = (): ComposeProject => ({ cli: o.cli, project: o.project, files: composeFiles(o.repoRoot, o.offline), env: composeEnv({ config, version, images: {} }) });

  const probes: Record<string, () => Promise<Probe>> = {
    mariadb: () => probeMysql({ host, port: config.ports.mysql, user: 'oms', password: 'oms' }),
    postgres: () => probePostgres({ host, port: config.ports.postgres, user: 'oms', password: 'oms', database: 'orders_graph' }),
    elasticsearch: () => probeElasticsearch(`http://${host}:${config.ports.elasticsearch}`),
    kafka: () => probeKafka([`${host}:${config.ports.kafka}`]),
    connect: () => probeConnect(`http://${host}:${config.ports.connect}`),
    customers: () => probeHttpHealth(`http://${host}:${config.ports.customers}/health`),
    products: () => probeHttpHealth(`http://${host}:${config.ports.products}/health`),
    orders: () => probeHttpHealth(`http://${host}:${config.ports.orders}/health`),
    'orders-stream': () => probeHttpHealth(`http://${host}:${config.ports.ordersStream}/health`),
    'orders-graph': () => probeHttpHealth(`http://${host}:${config.ports.ordersGraph}/health`),
  };
  const urls: Record<string, string> = {
    mariadb: `mysql://${host}:${config.ports.mysql}`,
    postgres: `postgres://${host}:${config.ports.postgres}`,
    elasticsearch: `http://${host}:${config.ports.elasticsearch}`,
    kafka: `${host}:${config.ports.kafka}`,
    connect: `http://${host}:${config.ports.connect}`,
    customers: `http://${host}:${config.ports.customers}`,
    products: `http://${host}:${config.ports.products}`,
    orders: `http://${host}:${config.ports.orders}`,
    'orders-stream': `http://${host}:${config.ports.ordersStream}`,
    'orders-graph': `http://${host}:${config.ports.ordersGraph}`,
  };
  const ports = publishedPorts(config);

  const containerOf = async (id: string): Promise<ProjectContainer | undefined> => (await projectContainers(docker, o.project)).find((c) => c.service === id);

  const failWithLogs = async (c: ProjectContainer | undefined, id: string, message: string): Promise<never> => {
    const tail = c ? await containerLogTail(docker, c.id, 40).catch(() => []) : [];
    throw new CheckFailedError(message, {
      details: tail.length > 0 ? [`last lines of ${c!.name}:`, ...tail.map((l) => `  ${l}`)] : [],
      hint: `\`oms logs ${id}\` shows the whole log; \`oms down\` then \`oms up --runtime docker\` retries`,
    });
  };

  /** Until the container runs, its healthcheck is not failing and the host-side probe answers. */
  const waitReady = async (id: string, progress?: (message: string) => void): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    let told = Date.now();
    let last: Probe = { ready: false, detail: 'not probed yet' };
    for (;;) {
      const c = await containerOf(id);
      if (!c) await failWithLogs(c, id, `the ${id} container is gone`);
      if (c!.state === 'exited' || c!.state === 'dead') await failWithLogs(c, id, `the ${id} container (${c!.name}) stopped: ${c!.status}`);
      if (c!.state === 'restarting' || /Restarting/.test(c!.status)) {
        const restarts = (await docker.getContainer(c!.id).inspect()).RestartCount;
        if (restarts >= 2) await failWithLogs(c, id, `the ${id} container (${c!.name}) keeps restarting (${restarts} restarts)`);
      }
      last = await probes[id]!();
      if (last.fatal) await failWithLogs(c, id, `${id}: ${last.fatal}`);
      if (last.ready && c!.state === 'running' && c!.health !== 'unhealthy') return;
      if (progress && Date.now() - told > 5000) {
        told = Date.now();
        progress(`waiting: ${c!.status}; ${last.detail ?? ''}`);
      }
      if (Date.now() > deadline) {
        await failWithLogs(c, id, `${id} (container ${c!.name}, ${c!.status}) was not ready within ${timeoutMs / 1000} s: ${last.detail ?? 'no detail'}`);
      }
      await sleep(500);
    }
  };

  const refOf = async (id: string): Promise<string | undefined> => (await getPlan()).find((i) => i.id === id)?.ref;

  const startStep = (c: DockerComponent): DockerStep => ({
    id: c.id,
    title: `${c.title} (container)`,
    needs: ['images', ...c.needs],
    async run(progress) {
      const existing = await containerOf(c.id);
      const ref = await refOf(c.id);
      const image = ref ? await inspectImage(docker, ref) : undefined;
      const current = existing?.state === 'running' && image !== undefined && existing.imageId === image.id;
      if (current && (await probes[c.id]!()).ready) return `already running (${existing.name})`;
      if (existing?.state !== 'running') {
        const taken = await takenPorts(ports[c.id] ?? [], host);
        if (taken.length > 0) {
          throw new PrereqError(`port${taken.length > 1 ? 's' : ''} ${taken.map((t) => t.port).join(', ')} of ${c.id} ${taken.length > 1 ? 'are' : 'is'} taken: ${taken.map((t) => `${t.port} by ${describeHolder(t.listener)}`).join('; ')}`, {
            hint: 'stop what holds it, or move our port (see `oms config` for the OMS_PORT_* variables)',
          });
        }
      }
      const t0 = Date.now();
      await compose(await project(), ['up', '-d', '--no-deps', '--no-build', c.id]);
      await waitReady(c.id, progress);
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      return existing ? `${existing.imageId === image?.id ? 'restarted' : 'recreated with the new image'}, ready in ${secs}s` : `started, ready in ${secs}s`;
    },
  });

  const runtime: DockerRuntime = {
    kind: 'docker',
    project: o.project,
    offline: o.offline,
    componentIds: () => DOCKER_COMPONENTS.map((c) => c.id),
    async ensureImages(opts = {}) {
      const outcomes = await ensureImages({
        docker,
        plan: await getPlan(),
        workDir: path.join(config.cacheDir, 'docker'),
        debianMirror: o.env.OMS_DEBIAN_MIRROR || 'http://deb.debian.org/debian',
        ...(opts.force ? { force: true } : {}),
        onProgress: opts.onProgress ?? ((m) => o.onProgress('images', m)),
        onLog: (id, line) => o.onDebug(`build ${id}: ${line}`),
      });
      return describeOutcomes(outcomes);
    },
    steps(opts = {}) {
      const selected = selectUp(opts.only);
      return [
        {
          id: 'images',
          title: o.offline ? 'Docker images (offline: from a local Debian base)' : 'Docker images',
          needs: [],
          run: (progress) => runtime.ensureImages(progress ? { onProgress: progress } : {}),
        },
        ...selected.map(startStep),
      ];
    },
    downSteps(opts = {}) {
      if (opts.only) {
        const ids = selectDown(opts.only).map((c) => c.id);
        return [
          {
            id: 'remove',
            title: `Stop and remove ${ids.join(', ')}`,
            needs: [],
            async run() {
              await compose(bareProject(), ['rm', '-s', '-f', '-v', ...ids]);
              return `removed ${ids.length} container${ids.length > 1 ? 's' : ''}`;
            },
          },
        ];
      }
      return [
        {
          id: 'compose-down',
          title: `compose down${opts.volumes ? ' -v' : ''} (project ${o.project})`,
          needs: [],
          async run() {
            await compose(bareProject(), ['down', '--remove-orphans', '-t', '20', ...(opts.volumes ? ['-v'] : [])]);
          },
        },
        {
          id: 'leftovers',
          title: 'Check nothing of the project is left',
          needs: ['compose-down'],
          async run() {
            const left = await projectLeftovers(docker, o.project);
            const problems = [...left.containers.map((c) => `container ${c}`), ...left.networks.map((n) => `network ${n}`), ...(opts.volumes ? left.volumes.map((v) => `volume ${v}`) : [])];
            if (problems.length > 0) throw new ExternalError(`compose down left ${problems.length} thing(s) of project ${o.project} behind`, { details: problems, hint: 'remove them with `docker rm -f` / `docker network rm` / `docker volume rm`' });
            return opts.volumes ? 'no container, network or volume left' : `no container or network left; volumes kept: ${left.volumes.join(', ') || 'none'}`;
          },
        },
      ];
    },
    async status() {
      const containers = await projectContainers(docker, o.project);
      return DOCKER_COMPONENTS.map((c): ComponentStatus => {
        const ct = containers.find((x) => x.service === c.id);
        const running = ct?.state === 'running';
        return {
          id: c.id,
          title: c.title,
          kind: c.kind,
          pid: null,
          running,
          ready: running && (ct!.health === 'healthy' || ct!.health === 'none'),
          ports: ports[c.id] ?? [],
          url: urls[c.id] ?? '',
          detail: ct ? `${ct.name}: ${ct.status}` : 'no container',
          logFile: runtime.logFile(c.id),
        };
      });
    },
    async *logs(component, opts = {}) {
      const c = await containerOf(component);
      if (!c) throw new UsageError(`no ${component} container in project ${o.project}`, { hint: 'is the stack up? `oms status --runtime docker`' });
      yield* followContainerLog(docker, c.id, { lines: opts.lines ?? 100, follow: opts.follow ?? false, ...(opts.signal ? { signal: opts.signal } : {}) });
    },
    logFile(component) {
      // compose v2 names containers project-service-1, v1 project_service_1
      const v1 = o.cli.argv[0] === 'docker-compose' && o.cli.version.startsWith('1.');
      return `docker logs ${v1 ? `${o.project}_${component}_1` : `${o.project}-${component}-1`}`;
    },
  };
  return runtime;
}
