import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { PrereqError } from '../../errors.js';

export interface JavaInstall {
  home: string;
  /** `<home>/bin/java` */
  bin: string;
  major: number;
}

/** Major version from a JDK `release` file (`JAVA_VERSION="17.0.15"`, `"1.8.0_392"`). */
export function parseReleaseVersion(release: string): number | undefined {
  const m = /^JAVA_VERSION="([^"]+)"/m.exec(release);
  return m ? parseJavaVersion(m[1]!) : undefined;
}

/** Major version from `17.0.15`, `21`, `25-ea`, `1.8.0_392`. */
export function parseJavaVersion(version: string): number | undefined {
  const m = /^(\d+)(?:\.(\d+))?/.exec(version);
  if (!m) return undefined;
  const first = Number(m[1]);
  return first === 1 && m[2] ? Number(m[2]) : first;
}

async function majorOf(home: string): Promise<number | undefined> {
  const bin = path.join(home, 'bin', 'java');
  if (!existsSync(bin)) return undefined;
  try {
    const fromRelease = parseReleaseVersion(readFileSync(path.join(home, 'release'), 'utf8'));
    if (fromRelease) return fromRelease;
  } catch {
    // no release file: ask the binary
  }
  try {
    const { stderr } = await promisify(execFile)(bin, ['-version'], { timeout: 10_000 });
    const m = /version "([^"]+)"/.exec(stderr);
    return m ? parseJavaVersion(m[1]!) : undefined;
  } catch {
    return undefined;
  }
}

function javaOnPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    const bin = path.join(dir, 'java');
    if (dir && existsSync(bin)) {
      try {
        return path.dirname(path.dirname(realpathSync(bin)));
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** Java homes worth trying, best first: explicit, JAVA_HOME, Debian's 17, `java` on PATH, the rest of /usr/lib/jvm. */
export function javaCandidates(opts: { javaHome?: string; env?: NodeJS.ProcessEnv; jvmDir?: string } = {}): string[] {
  const env = opts.env ?? process.env;
  const jvmDir = opts.jvmDir ?? '/usr/lib/jvm';
  let others: string[] = [];
  try {
    others = readdirSync(jvmDir)
      .sort()
      .map((d) => path.join(jvmDir, d));
  } catch {
    // no /usr/lib/jvm
  }
  const list = [opts.javaHome, env.JAVA_HOME, path.join(jvmDir, 'java-17-openjdk-amd64'), javaOnPath(env), ...others];
  return [...new Set(list.filter((h): h is string => Boolean(h)))];
}

/**
 * A Java between `min` and `max` (inclusive). Elasticsearch 8 needs 17..23: Java 24 removed
 * the SecurityManager it still installs, so a newer JDK (e.g. Temurin 25) is skipped.
 */
export async function findJava(
  opts: { javaHome?: string; min?: number; max?: number; env?: NodeJS.ProcessEnv; jvmDir?: string } = {},
): Promise<JavaInstall> {
  const min = opts.min ?? 17;
  const max = opts.max ?? 23;
  const seen: string[] = [];
  for (const home of javaCandidates(opts)) {
    const major = await majorOf(home);
    if (major === undefined) continue;
    seen.push(`${home} (Java ${major})`);
    if (major >= min && major <= max) return { home, bin: path.join(home, 'bin', 'java'), major };
  }
  throw new PrereqError(`No Java ${min}-${max} found for Kafka and Elasticsearch${seen.length ? ` (found: ${seen.join(', ')})` : ''}.`, {
    hint: 'sudo apt-get install -y openjdk-17-jre-headless   (or set JAVA_HOME to a Java 17-23 home)',
  });
}
