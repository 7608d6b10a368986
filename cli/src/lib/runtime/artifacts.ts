/**
 * Kafka (broker + Connect classpath), the Debezium plugins and Elasticsearch, fetched from
 * Maven Central by Maven with the pinned pom in cli/runtime/, extracted once into
 * `<cacheDir>/local-runtime-<hash of the pom>/` and marked complete. Once the marker is
 * there, nothing is downloaded and Maven is not even started.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { ExternalError, PrereqError } from '../../errors.js';
import { acquireLock } from '../process/supervisor.js';
import { lastLines } from './log-file.js';
import { findBinary } from './os-packages.js';

const run = promisify(execFile);

/** Versions pinned in cli/runtime/pom.xml (a unit test keeps the two in step). */
export const ARTIFACT_VERSIONS = {
  kafka: '4.3.1',
  debezium: '3.5.0.Final',
  elasticsearch: '8.19.4',
} as const;

export interface RuntimeArtifacts {
  dir: string;
  /** Jars of the broker and the Connect worker (one classpath, as Kafka's own libs/). */
  libsDir: string;
  /** Connect plugin.path: one dir per Debezium connector. */
  pluginsDir: string;
  /** Extracted Elasticsearch distribution. */
  elasticsearchHome: string;
}

const MARKER = '.complete';

/** Cache dir of the artifact set described by `pomText` (changes when the pom does). */
export function artifactsDir(cacheDir: string, pomText: string): string {
  const hash = createHash('sha256').update(pomText).digest('hex').slice(0, 12);
  return path.join(cacheDir, `local-runtime-${hash}`);
}

function layout(dir: string): RuntimeArtifacts {
  return {
    dir,
    libsDir: path.join(dir, 'libs'),
    pluginsDir: path.join(dir, 'plugins'),
    elasticsearchHome: path.join(dir, 'elasticsearch'),
  };
}

/** The cached artifacts if complete (no I/O beyond one stat). */
export function cachedArtifacts(cacheDir: string, pomFile: string): RuntimeArtifacts | undefined {
  const dir = artifactsDir(cacheDir, readFileSync(pomFile, 'utf8'));
  return existsSync(path.join(dir, MARKER)) ? layout(dir) : undefined;
}

/**
 * Returns the artifacts, fetching and extracting them first when the cache lacks them.
 * `fetched` tells whether Maven ran.
 */
export async function ensureArtifacts(opts: {
  cacheDir: string;
  pomFile: string;
  onProgress: (message: string) => void;
}): Promise<RuntimeArtifacts & { fetched: boolean }> {
  const cached = cachedArtifacts(opts.cacheDir, opts.pomFile);
  if (cached) return { ...cached, fetched: false };

  await mkdir(opts.cacheDir, { recursive: true });
  const release = await acquireLock(path.join(opts.cacheDir, '.fetch.lock'), {
    timeoutMs: 20 * 60_000,
    onWait: (pid) => opts.onProgress(`waiting for another oms (pid ${pid}) fetching the same artifacts`),
  });
  try {
    const again = cachedArtifacts(opts.cacheDir, opts.pomFile);
    if (again) return { ...again, fetched: false };
    const final = artifactsDir(opts.cacheDir, readFileSync(opts.pomFile, 'utf8'));
    const work = `${final}.partial`;
    await rm(work, { recursive: true, force: true });
    await mkdir(work, { recursive: true });
    const archives = path.join(work, 'archives');
    const target = layout(work);

    const mvn = findBinary(['mvn']);
    if (!mvn) throw new PrereqError('Maven (mvn) is needed to fetch Kafka, Debezium and Elasticsearch.', { hint: 'sudo apt-get install -y maven' });
    if (!findBinary(['tar']) || !findBinary(['unzip'])) {
      throw new PrereqError('tar and unzip are needed to extract the runtime artifacts.', { hint: 'sudo apt-get install -y tar unzip' });
    }
    opts.onProgress(`fetching Kafka ${ARTIFACT_VERSIONS.kafka}, Debezium ${ARTIFACT_VERSIONS.debezium}, Elasticsearch ${ARTIFACT_VERSIONS.elasticsearch} from Maven Central`);
    try {
      await run(
        mvn,
        [
          '-B',
          '-ntp',
          '-f',
          opts.pomFile,
          `-Dlibs.dir=${target.libsDir}`,
          `-Darchives.dir=${archives}`,
          'dependency:copy-dependencies@jvm-libs',
          'dependency:copy-dependencies@archives',
        ],
        { cwd: work, timeout: 30 * 60_000, maxBuffer: 64 * 1024 * 1024 },
      );
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; message: string };
      throw new ExternalError('Maven could not fetch the local runtime artifacts.', {
        hint: 'Check that Maven Central is reachable (mvn uses ~/.m2/settings.xml for mirrors and proxies), then run again.',
        details: lastLines(`${e.stdout ?? ''}\n${e.stderr ?? e.message}`, 30),
        cause: err,
      });
    }

    opts.onProgress('extracting Debezium plugins and Elasticsearch');
    await mkdir(target.pluginsDir, { recursive: true });
    const files = await readdir(archives);
    for (const file of files.filter((f) => f.endsWith('.tar.gz'))) {
      await run('tar', ['-xzf', path.join(archives, file), '-C', target.pluginsDir]);
    }
    const zip = files.find((f) => f.startsWith('elasticsearch-') && f.endsWith('.zip'));
    if (!zip) throw new ExternalError('Maven fetched no Elasticsearch zip.', { hint: `Check ${opts.pomFile}.` });
    const esTmp = path.join(work, 'es-unzip');
    await run('unzip', ['-q', path.join(archives, zip), '-d', esTmp], { maxBuffer: 64 * 1024 * 1024 });
    const [esRoot] = await readdir(esTmp);
    if (!esRoot) throw new ExternalError('The Elasticsearch zip was empty.', { hint: `Delete ${work} and run again.` });
    await rename(path.join(esTmp, esRoot), target.elasticsearchHome);
    await rm(esTmp, { recursive: true, force: true });
    await rm(archives, { recursive: true, force: true });
    // Readable by the system user Elasticsearch runs as; bin/ and the JDK helpers executable.
    await run('chmod', ['-R', 'a+rX', work]);
    for (const f of await readdir(path.join(target.elasticsearchHome, 'bin'))) {
      await chmod(path.join(target.elasticsearchHome, 'bin', f), 0o755);
    }
    await writeFile(path.join(work, MARKER), `${JSON.stringify({ ...ARTIFACT_VERSIONS, fetchedAt: new Date().toISOString() })}\n`);
    await rm(final, { recursive: true, force: true });
    await rename(work, final);
    return { ...layout(final), fetched: true };
  } finally {
    await release();
  }
}
