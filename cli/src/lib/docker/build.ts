/**
 * Makes the images of a plan (images.ts): imports the offline base, pulls public images,
 * builds ours through dockerode. An image is rebuilt only when its inputs changed: each
 * built image carries the hash of its Dockerfile, context, build args and parent image ids
 * as a label, so a second `oms up` finds everything up to date without asking the builder.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { PrereqError } from '../../errors.js';
import { ensureArtifacts } from '../runtime/artifacts.js';
import { runtimeAssetsDir } from '../runtime/settings.js';
import { ensureBaseImage } from './base.js';
import { type Docker, buildImage, ensurePulled, inspectImage } from './client.js';
import { type BuiltImage, type ImageSpec, type PlanInput, imagePlan, isServiceContextFile } from './images.js';

export const INPUT_HASH_LABEL = 'oms.input-hash';
/** Bump when the hashing itself changes, so every image is rebuilt once. */
const HASH_SCHEME = '1';

export interface ImageOutcome {
  id: string;
  ref: string;
  title: string;
  action: 'up to date' | 'built' | 'present' | 'pulled' | 'cached' | 'imported';
  ms: number;
}

export interface EnsureImagesOptions {
  docker: Docker;
  plan: ImageSpec[];
  /** Staging dirs for build contexts and the debootstrap root filesystem. */
  workDir: string;
  debianMirror: string;
  /** Rebuild even when the input hash matches (Docker's layer cache still applies). */
  force?: boolean;
  onProgress: (message: string) => void;
  /** Every build log line (for --debug). */
  onLog?: (id: string, line: string) => void;
}

/** The Node binary and npm copied into oms-node (Debian bookworm's apt has Node 18 only). */
export function hostNode(): PlanInput['node'] {
  const binary = realpathSync(process.execPath);
  const candidates = [path.resolve(path.dirname(binary), '..', 'lib', 'node_modules', 'npm'), '/usr/lib/node_modules/npm', '/usr/local/lib/node_modules/npm'];
  const npmDir = candidates.find((d) => existsSync(path.join(d, 'bin', 'npm-cli.js')));
  if (!npmDir) throw new PrereqError(`npm was not found next to ${binary}`, { hint: 'install npm for this Node (apt-get install npm, or the Node.js tarball that ships it)' });
  return { binary, npmDir, major: Number(process.versions.node.split('.')[0]) };
}

/**
 * CA certificates added on this host (Debian's /usr/local/share/ca-certificates, e.g. a
 * TLS-inspecting proxy's): containers need them to reach the npm registry the way the host does.
 */
export async function hostExtraCaPem(dir = '/usr/local/share/ca-certificates'): Promise<string> {
  const pems: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true }).catch(() => [])) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.crt')) pems.push((await readFile(p, 'utf8')).trim());
    }
  };
  await walk(dir);
  return pems.sort().join('\n');
}

/**
 * The plan for this machine: artifacts come from the local runtime's cache (fetched by its
 * own Maven step when missing), Node from the host when offline.
 */
export async function planImages(input: Omit<PlanInput, 'artifacts' | 'log4jConfig' | 'node'> & { cacheDir: string; onProgress: (m: string) => void }): Promise<ImageSpec[]> {
  const assets = runtimeAssetsDir();
  const artifacts = await ensureArtifacts({ cacheDir: input.cacheDir, pomFile: path.join(assets, 'pom.xml'), onProgress: input.onProgress });
  const node = input.offline ? hostNode() : { binary: '', npmDir: '', major: 20 };
  return imagePlan({ ...input, artifacts, log4jConfig: path.join(assets, 'log4j2.properties'), node, extraCaPem: await hostExtraCaPem() });
}

async function hashPath(hash: ReturnType<typeof createHash>, from: string, mode: 'content' | 'stat', rel: string): Promise<void> {
  const s = await stat(from);
  if (mode === 'stat') {
    // Artifact dirs are content-addressed by the pom hash in their path; the node binary by path, size and mtime.
    hash.update(`${rel}\0${from}\0${s.size}\0${s.mtimeMs}\0`);
    return;
  }
  if (s.isDirectory()) {
    for (const name of (await readdir(from)).sort()) await hashPath(hash, path.join(from, name), mode, `${rel}/${name}`);
    return;
  }
  hash.update(`${rel}\0${s.mode & 0o111 ? 'x' : '-'}\0`);
  hash.update(await readFile(from));
}

/** Files of the services' build context, relative to the repository root, sorted. */
export async function serviceContextFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    for (const entry of await readdir(path.join(root, rel), { withFileTypes: true }).catch(() => [])) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
        await walk(child);
      } else if (entry.isFile() && isServiceContextFile(child)) {
        out.push(child);
      }
    }
  };
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.base.json', 'cli/package.json', 'compose/images/services/Dockerfile']) if (existsSync(path.join(root, f))) out.push(f);
  await walk('lib');
  await walk('services');
  return out.sort();
}

/** The hash recorded on a built image: everything that would change its content. */
export async function inputHash(image: BuiltImage, parentIds: string[]): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`scheme ${HASH_SCHEME}\0${image.dockerfile}\0${image.target ?? ''}\0${JSON.stringify(image.buildArgs)}\0${parentIds.join(',')}\0`);
  if ('entries' in image.context) {
    for (const e of image.context.entries) await hashPath(hash, e.from, e.fingerprint ?? 'content', e.to);
  } else {
    for (const f of await serviceContextFiles(image.context.root)) await hashPath(hash, path.join(image.context.root, f), 'content', f);
  }
  return hash.digest('hex').slice(0, 16);
}

/** A tar stream of a context: staged symlinks dereferenced, or a file list from the repository. */
async function contextTar(image: BuiltImage, workDir: string): Promise<{ stream: Readable; done: Promise<void> }> {
  let args: string[];
  let input: string | undefined;
  if ('entries' in image.context) {
    const stage = path.join(workDir, `context-${image.id}`);
    await rm(stage, { recursive: true, force: true });
    await mkdir(stage, { recursive: true });
    for (const e of image.context.entries) {
      await mkdir(path.dirname(path.join(stage, e.to)), { recursive: true });
      await symlink(e.from, path.join(stage, e.to));
    }
    args = ['-C', stage, '--dereference', '-c', '.'];
  } else {
    args = ['-C', image.context.root, '--null', '-T', '-', '-c'];
    input = (await serviceContextFiles(image.context.root)).join('\0');
  }
  const tar = spawn('tar', args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  if (input !== undefined) tar.stdin!.end(input);
  let err = '';
  tar.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<void>((resolve, reject) => tar.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar failed: ${err.trim()}`)))));
  return { stream: tar.stdout!, done };
}

/** Whether a stage of the context is still there (symlinks only; removed after the build). */
async function cleanStage(image: BuiltImage, workDir: string): Promise<void> {
  const stage = path.join(workDir, `context-${image.id}`);
  if (await lstat(stage).catch(() => undefined)) await rm(stage, { recursive: true, force: true });
}

/**
 * Makes every image of the plan, parents first; independent images build two at a time
 * (the service targets one after another, so all but the first reuse the shared stages).
 */
export async function ensureImages(opts: EnsureImagesOptions): Promise<ImageOutcome[]> {
  const { docker, plan } = opts;
  const byId = new Map(plan.map((i) => [i.id, i]));
  const outcomes = new Map<string, ImageOutcome>();
  const running = new Map<string, Promise<void>>();
  const serviceIds = plan.filter((i) => i.kind === 'build' && i.target && !('entries' in i.context)).map((i) => i.id);

  const make = async (image: ImageSpec): Promise<void> => {
    const started = Date.now();
    const done = (action: ImageOutcome['action']) => outcomes.set(image.id, { id: image.id, ref: image.ref, title: image.title, action, ms: Date.now() - started });
    if (image.kind === 'import') {
      done(await ensureBaseImage(docker, { ref: image.ref, workDir: opts.workDir, mirror: opts.debianMirror, onProgress: (m) => opts.onProgress(`${image.id}: ${m}`) }));
      return;
    }
    if (image.kind === 'pull') {
      done(await ensurePulled(docker, image.ref, (l) => opts.onLog?.(image.id, l)));
      return;
    }
    const parentIds: string[] = [];
    for (const p of image.parents) {
      const facts = await inspectImage(docker, byId.get(p)!.ref);
      parentIds.push(facts?.id ?? 'missing');
    }
    const hash = await inputHash(image, parentIds);
    const existing = await inspectImage(docker, image.ref);
    if (!opts.force && existing?.labels[INPUT_HASH_LABEL] === hash) {
      done('up to date');
      return;
    }
    opts.onProgress(`${image.id}: building ${image.ref}`);
    const nodeBinary = 'entries' in image.context ? image.context.entries.find((e) => e.to === 'node')?.from : undefined;
    if (nodeBinary) opts.onProgress(`${image.id}: Debian bookworm's apt has Node 18 only, so ${image.ref} gets this machine's Node ${process.version} (${nodeBinary}) and its npm`);
    const { stream, done: tarDone } = await contextTar(image, opts.workDir);
    try {
      await buildImage(
        docker,
        { tag: image.ref, context: stream, dockerfile: image.dockerfile, ...(image.target ? { target: image.target } : {}), buildArgs: image.buildArgs, labels: { [INPUT_HASH_LABEL]: hash, 'oms.image': image.id } },
        (line) => {
          opts.onLog?.(image.id, line);
          if (/^Step \d+\/\d+ : (RUN|COPY|FROM)/.test(line)) opts.onProgress(`${image.id}: ${line.slice(0, 110)}`);
        },
      );
      await tarDone;
    } finally {
      await cleanStage(image, opts.workDir);
    }
    done('built');
  };

  const start = (image: ImageSpec): Promise<void> => {
    const existing = running.get(image.id);
    if (existing) return existing;
    const prior = image.kind === 'build' ? image.parents : [];
    // Service targets share stages: each waits for the previous one, so the cache is warm.
    const idx = serviceIds.indexOf(image.id);
    const after = idx > 0 ? [serviceIds[idx - 1]!] : [];
    const p = Promise.all([...prior, ...after].map((id) => start(byId.get(id)!))).then(() => limit(() => make(image)));
    running.set(image.id, p);
    return p;
  };

  // Two builds at a time: apt and the JVM-free builds overlap well on two cores.
  let active = 0;
  const queue: Array<() => void> = [];
  const limit = async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= 2) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };

  const all = plan.map((i) => start(i));
  const results = await Promise.allSettled(all);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return plan.map((i) => outcomes.get(i.id)!);
}

/** One line: "built kafka, connect (52s); 9 up to date". */
export function describeOutcomes(outcomes: ImageOutcome[]): string {
  const made = outcomes.filter((o) => o.action === 'built' || o.action === 'imported' || o.action === 'pulled');
  const kept = outcomes.length - made.length;
  if (made.length === 0) return `all ${outcomes.length} images up to date`;
  return `${made.map((o) => `${o.action} ${o.id} (${(o.ms / 1000).toFixed(0)}s)`).join(', ')}${kept > 0 ? `; ${kept} up to date` : ''}`;
}
