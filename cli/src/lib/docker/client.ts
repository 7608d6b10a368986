/**
 * The Docker Engine, through dockerode: connecting, asking whether a daemon answers, image
 * facts, image builds with progress and the build log, and container lookups by compose
 * labels. Nothing here prints: progress goes to callbacks, failures are OmsErrors.
 */
import { existsSync } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import Docker from 'dockerode';
import { ExternalError } from '../../errors.js';

export type { Docker };

/** The daemon address: DOCKER_HOST when set (unix:// or tcp://), else the default socket. */
export function dockerOptions(env: NodeJS.ProcessEnv): Docker.DockerOptions {
  const host = env.DOCKER_HOST;
  if (!host) return { socketPath: '/var/run/docker.sock' };
  if (host.startsWith('unix://')) return { socketPath: host.slice('unix://'.length) };
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
}

/** A client for the daemon `env` points at (cheap: nothing is contacted). */
export function connectDocker(env: NodeJS.ProcessEnv): Docker {
  return new Docker(dockerOptions(env));
}

/** Whether a daemon could be there at all, without contacting it (no socket → certainly not). */
export function daemonMayAnswer(env: NodeJS.ProcessEnv): boolean {
  if (env.DOCKER_HOST) return true;
  return existsSync('/var/run/docker.sock');
}

export interface DaemonInfo {
  version: string;
  apiVersion: string;
  /** Registry mirrors the daemon is configured with (pulls may work without the internet). */
  mirrors: string[];
}

/** The daemon's version, or the reason it does not answer (within `timeoutMs`). */
export async function pingDaemon(docker: Docker, timeoutMs = 2000): Promise<{ ok: true; info: DaemonInfo } | { ok: false; reason: string }> {
  const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref());
  try {
    const [version, info] = await Promise.race([Promise.all([docker.version(), docker.info() as Promise<{ RegistryConfig?: { Mirrors?: string[] } }>]), timeout]);
    return { ok: true, info: { version: version.Version, apiVersion: version.ApiVersion, mirrors: info.RegistryConfig?.Mirrors ?? [] } };
  } catch (err) {
    return { ok: false, reason: (err as Error).message.split('\n')[0] ?? 'unknown error' };
  }
}

export interface ImageFacts {
  id: string;
  labels: Record<string, string>;
  sizeBytes: number;
}

/** The local image `ref` (name:tag), or undefined when the daemon does not have it. */
export async function inspectImage(docker: Docker, ref: string): Promise<ImageFacts | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- Docker answers `"Labels": null` for an image without labels; @types/dockerode says otherwise
    return { id: info.Id, labels: info.Config?.Labels ?? {}, sizeBytes: info.Size };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

/** Messages that mean "the base image could not be pulled" (no registry, no network, no such image). */
const PULL_FAILURE = /pull access denied|manifest unknown|manifest for .* not found|failed to resolve|no such host|dial tcp|i\/o timeout|TLS handshake timeout|connection refused|Client\.Timeout|net\/http: request canceled|repository does not exist|error pulling image/i;

/** Whether a build or pull error is a registry problem (so `--offline` is the way out). */
export function isPullFailure(message: string): boolean {
  return PULL_FAILURE.test(message);
}

export const OFFLINE_HINT = 'no container registry answered: `oms build --offline` (or `oms up --runtime docker --offline`) builds every image from a local Debian base instead';

export interface BuildRequest {
  /** name:tag */
  tag: string;
  /** The build context as a tar stream. */
  context: Readable;
  /** Path of the Dockerfile inside the context. */
  dockerfile?: string;
  target?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
}

/**
 * Builds one image (the daemon's classic builder), reporting each step line through
 * `onLine`. A failure is an ExternalError carrying the last lines of the build log, and,
 * when the cause was a pull, the hint to build offline.
 */
export async function buildImage(docker: Docker, req: BuildRequest, onLine: (line: string) => void): Promise<{ log: string[] }> {
  const log: string[] = [];
  const push = (text: string) => {
    for (const line of text.split('\n')) {
      // eslint-disable-next-line no-control-regex
      const l = line.replace(/\x1b\[[0-9;]*m/g, '').replace(/\r/g, '').trimEnd();
      if (!l) continue;
      log.push(l);
      if (log.length > 2000) log.shift();
      onLine(l);
    }
  };
  const fail = (message: string, cause?: unknown): ExternalError => {
    const pull = isPullFailure(message) || log.slice(-5).some(isPullFailure);
    return new ExternalError(`building ${req.tag} failed: ${message.split('\n')[0]!}`, {
      details: ['last lines of the build log:', ...log.slice(-30).map((l) => `  ${l}`)],
      hint: pull ? OFFLINE_HINT : 'fix the cause above, then rerun `oms build` (cached steps are reused)',
      cause,
    });
  };
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.buildImage(req.context, {
      t: req.tag,
      ...(req.dockerfile ? { dockerfile: req.dockerfile } : {}),
      ...(req.target ? { target: req.target } : {}),
      ...(req.buildArgs ? { buildargs: req.buildArgs } : {}),
      ...(req.labels ? { labels: req.labels } : {}),
      rm: true,
      forcerm: true,
    } as Docker.ImageBuildOptions);
  } catch (err) {
    throw fail((err as Error).message, err);
  }
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => (err ? reject(fail(err.message, err)) : resolve()),
      (event: { stream?: string; status?: string; progress?: string; error?: string; errorDetail?: { message?: string } }) => {
        if (event.stream) push(event.stream);
        else if (event.status) push(`${event.status}${event.progress ? ` ${event.progress}` : ''}`);
        if (event.error) {
          push(event.error);
          reject(fail(event.errorDetail?.message ?? event.error));
        }
      },
    );
  });
  return { log };
}

/** Pulls `ref` unless present; a registry problem becomes an ExternalError with the offline hint. */
export async function ensurePulled(docker: Docker, ref: string, onLine: (line: string) => void): Promise<'present' | 'pulled'> {
  if (await inspectImage(docker, ref)) return 'present';
  try {
    const stream = await docker.pull(ref);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(
        stream,
        (err: Error | null) => (err ? reject(err) : resolve()),
        (e: { status?: string; id?: string }) => {
          if (e.status && !/Downloading|Extracting|Waiting/.test(e.status)) onLine(`${e.id ? `${e.id}: ` : ''}${e.status}`);
        },
      );
    });
    return 'pulled';
  } catch (err) {
    const message = (err as Error).message;
    throw new ExternalError(`pulling ${ref} failed: ${message.split('\n')[0]!}`, {
      hint: isPullFailure(message) ? OFFLINE_HINT : 'check the image name and your registry login',
      cause: err,
    });
  }
}

/** Labels compose puts on everything it creates. */
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';

export interface ProjectContainer {
  id: string;
  name: string;
  service: string;
  image: string;
  /** Id of the image the container was created from (compare with the tag's current id). */
  imageId: string;
  /** created, running, restarting, exited, … */
  state: string;
  /** healthy, unhealthy, starting, or none (no healthcheck) */
  health: 'healthy' | 'unhealthy' | 'starting' | 'none';
  status: string;
}

/** Every container of a compose project (running or not). */
export async function projectContainers(docker: Docker, project: string): Promise<ProjectContainer[]> {
  const list = await docker.listContainers({ all: true, filters: { label: [`${COMPOSE_PROJECT_LABEL}=${project}`] } });
  return list.map((c) => {
    const health = c.Status.includes('(healthy)') ? 'healthy' : c.Status.includes('(unhealthy)') ? 'unhealthy' : c.Status.includes('health: starting') ? 'starting' : 'none';
    return {
      id: c.Id,
      name: (c.Names[0] ?? c.Id).replace(/^\//, ''),
      service: c.Labels[COMPOSE_SERVICE_LABEL] ?? '',
      image: c.Image,
      imageId: c.ImageID,
      state: c.State,
      health,
      status: c.Status,
    };
  });
}

/** What `down` must leave behind: nothing. Lists what remains of a project. */
export async function projectLeftovers(docker: Docker, project: string): Promise<{ containers: string[]; networks: string[]; volumes: string[] }> {
  const label = `${COMPOSE_PROJECT_LABEL}=${project}`;
  const [containers, networks, volumes] = await Promise.all([
    docker.listContainers({ all: true, filters: { label: [label] } }),
    docker.listNetworks({ filters: { label: [label] } }),
    docker.listVolumes({ filters: { label: [label] } }),
  ]);
  return {
    containers: containers.map((c) => (c.Names[0] ?? c.Id).replace(/^\//, '')),
    networks: networks.map((n) => n.Name),
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- Docker answers `"Volumes": null` when there are none; @types/dockerode says otherwise
    volumes: (volumes.Volumes ?? []).map((v) => v.Name),
  };
}

/** Last `lines` lines of a container's output (stdout and stderr interleaved). */
export async function containerLogTail(docker: Docker, id: string, lines: number): Promise<string[]> {
  const buf = await docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false });
  return demux(buf).split('\n').filter((l) => l.length > 0);
}

/** Docker's multiplexed log format (8-byte frame headers) to text; plain text passes through. */
export function demux(buf: Buffer): string {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const kind = buf[i];
    const size = buf.readUInt32BE(i + 4);
    if ((kind !== 0 && kind !== 1 && kind !== 2) || buf[i + 1] !== 0 || buf[i + 2] !== 0 || buf[i + 3] !== 0) return buf.toString('utf8');
    out.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  if (i !== buf.length) return buf.toString('utf8');
  return Buffer.concat(out).toString('utf8');
}

/**
 * Lines of a container's log, following when asked, until `signal` aborts or the container
 * stops. TTY-less containers multiplex stdout and stderr; both are yielded.
 */
export async function* followContainerLog(docker: Docker, id: string, opts: { lines: number; follow: boolean; signal?: AbortSignal }): AsyncIterable<string> {
  if (!opts.follow) {
    yield* await containerLogTail(docker, id, opts.lines);
    return;
  }
  const container = docker.getContainer(id);
  const raw = (await container.logs({ stdout: true, stderr: true, tail: opts.lines, follow: true })) as unknown as Readable;
  const text = new PassThrough();
  docker.modem.demuxStream(raw, text, text);
  raw.on('end', () => text.end());
  const stop = () => {
    (raw as Readable & { destroy: () => void }).destroy();
    text.end();
  };
  opts.signal?.addEventListener('abort', stop, { once: true });
  let rest = '';
  try {
    for await (const chunk of text) {
      rest += String(chunk);
      const parts = rest.split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) yield line;
    }
    if (rest) yield rest;
  } finally {
    opts.signal?.removeEventListener('abort', stop);
  }
}
