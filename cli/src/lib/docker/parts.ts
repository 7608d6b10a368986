/** What every function of the docker runtime works on: the daemon, the compose project, the image plan. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { OmsConfig } from '../../config.js';
import { ARTIFACT_VERSIONS } from '../runtime/artifacts.js';
import { CATALOGUE } from '../stack/catalogue.js';
import type { Topology } from '../stack/topology.js';
import { planImages } from './build.js';
import { type Docker, type ProjectContainer, projectContainers } from './client.js';
import { type DockerComponent, dockerComponents } from './components.js';
import { type ComposeCli, type ComposeProject, composeEnv, composeFiles } from './compose.js';
import type { ImageSpec } from './images.js';

export interface DockerRuntimeOptions {
  docker: Docker;
  cli: ComposeCli;
  config: OmsConfig;
  repoRoot: string;
  /** Compose project name (containers, network and volumes are prefixed with it). */
  project: string;
  offline: boolean;
  /** Brokers and orders-stream instances (by default the state dir's, lib/stack/topology.ts). */
  topology: Topology;
  /** Caller's environment: OMS_*_IMAGE overrides, heaps, bind address. */
  env: NodeJS.ProcessEnv;
  onProgress: (component: string, message: string) => void;
  onDebug: (message: string) => void;
}

/** Published ports are on the host's loopback. */
export const HOST = '127.0.0.1';

/** The OMS version: the service images' tag. */
export function omsVersion(repoRoot: string): string {
  return (JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

export interface DockerParts {
  o: DockerRuntimeOptions;
  docker: Docker;
  config: OmsConfig;
  version: string;
  /** Every component of the topology, in start order. */
  components: DockerComponent[];
  /** How long a container may take to become ready. */
  timeoutMs: number;
  /** The images to build or pull (planned once, on first use). */
  plan(): Promise<ImageSpec[]>;
  /** The project with the planned image names (what `up` needs). */
  project(): Promise<ComposeProject>;
  /** The project without image names: down, logs and status find everything by its labels. */
  bareProject(): ComposeProject;
  containerOf(id: string): Promise<ProjectContainer | undefined>;
}

export function dockerParts(o: DockerRuntimeOptions): DockerParts {
  const { config } = o;
  const version = omsVersion(o.repoRoot);
  let planned: Promise<ImageSpec[]> | undefined;
  const plan = () =>
    (planned ??= planImages({
      offline: o.offline,
      version,
      versions: ARTIFACT_VERSIONS,
      composeDir: path.join(o.repoRoot, 'compose'),
      repoRoot: o.repoRoot,
      env: o.env,
      cacheDir: config.cacheDir,
      onProgress: (m) => o.onProgress('images', m),
    }));
  const infra = new Set(CATALOGUE.filter((c) => c.kind === 'infra').map((c) => c.id));
  const files = composeFiles(o.repoRoot, o.offline);
  return {
    o,
    docker: o.docker,
    config,
    version,
    components: dockerComponents(config, o.topology, HOST),
    timeoutMs: Math.max(config.timeouts.startSeconds * 1000, 10_000),
    plan,
    async project() {
      const images = Object.fromEntries((await plan()).filter((i) => infra.has(i.id)).map((i) => [i.id, i.ref]));
      return { cli: o.cli, project: o.project, files, env: composeEnv({ config, topology: o.topology, version, images }) };
    },
    bareProject: () => ({ cli: o.cli, project: o.project, files, env: composeEnv({ config, topology: o.topology, version, images: {} }) }),
    containerOf: async (id) => (await projectContainers(o.docker, o.project)).find((c) => c.service === id),
  };
}
