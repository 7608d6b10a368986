import { existsSync } from 'node:fs';
import { chown, cp, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type LocalProcess, STOP_GROUP } from '../component.js';
import type { RuntimeContext } from '../context.js';
import { ARTIFACT_VERSIONS } from '../artifacts.js';
import { IDLE_JVM_FLAGS, elasticsearchYml } from '../templates.js';

/**
 * Elasticsearch from the integ-test zip, no bundled JDK (ES_JAVA_HOME = a Java 17..23). It
 * refuses root, so when we are root it runs as the system user: config (ES writes its
 * keystore there), data and logs live in the sandbox dir owned by that user; the
 * distribution itself is only read, from the cache when that user can read it, else from a
 * copy in the sandbox dir (the cache under /root is not reachable: /root is mode 700).
 */
export function elasticsearchProcess(ctx: RuntimeContext): LocalProcess {
  const { settings } = ctx;

  async function home(): Promise<string> {
    const sandbox = await ctx.sandbox();
    const cached = (await ctx.artifacts()).elasticsearchHome;
    if (sandbox.canRead(path.join(cached, 'lib'))) return cached;
    const copy = sandbox.paths.elasticsearch.homeCopy;
    const marker = path.join(copy, `.oms-copy-${ARTIFACT_VERSIONS.elasticsearch}`);
    if (!existsSync(marker)) {
      ctx.progress('elasticsearch', `copying the distribution to ${copy} (the cache is not readable by ${String(sandbox.user?.name)})`);
      await rm(copy, { recursive: true, force: true });
      await cp(cached, copy, { recursive: true, preserveTimestamps: true });
      await writeFile(marker, '');
    }
    return copy;
  }

  return {
    ports: [settings.ports.elasticsearch, settings.ports.elasticsearchTransport],
    stop: STOP_GROUP,
    sandboxed: true,
    check: () => ctx.java(),
    async prepare() {
      const sandbox = await ctx.sandbox();
      const p = sandbox.paths.elasticsearch;
      const esHome = await home();
      for (const dir of [p.dir, p.configDir, p.dataDir, p.logsDir]) await sandbox.ensureDir(dir);
      // jvm.options, log4j2.properties, … from the distribution, once; elasticsearch.yml always.
      const shipped = path.join(esHome, 'config');
      for (const entry of await readdir(shipped)) {
        const target = path.join(p.configDir, entry);
        if (entry === 'elasticsearch.yml' || existsSync(target)) continue;
        await cp(path.join(shipped, entry), target, { recursive: true });
        if (sandbox.user) await chownTree(target, sandbox.user.uid, sandbox.user.gid);
      }
      const yml = path.join(p.configDir, 'elasticsearch.yml');
      await writeFile(
        yml,
        elasticsearchYml({
          host: settings.host,
          httpPort: settings.ports.elasticsearch,
          transportPort: settings.ports.elasticsearchTransport,
          dataDir: p.dataDir,
          logsDir: p.logsDir,
        }),
      );
      if (sandbox.user) await chown(yml, sandbox.user.uid, sandbox.user.gid);
    },
    async launch() {
      const java = await ctx.java();
      const sandbox = await ctx.sandbox();
      const p = sandbox.paths.elasticsearch;
      const esHome = await home();
      return {
        command: path.join(esHome, 'bin', 'elasticsearch'),
        args: [],
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: p.dir,
          LANG: 'C.UTF-8',
          ES_JAVA_HOME: java.home,
          ES_PATH_CONF: p.configDir,
          ES_JAVA_OPTS: `-Xms${settings.heap.elasticsearch} -Xmx${settings.heap.elasticsearch} ${IDLE_JVM_FLAGS}`,
        },
        // jvm.options writes gc.log and hs_err files relative to the working dir.
        cwd: p.logsDir,
      };
    },
    async dataDirs() {
      // not the home copy: it is only derived from the cache
      const p = (await ctx.sandbox()).paths.elasticsearch;
      return [p.configDir, p.dataDir, p.logsDir];
    },
  };
}

async function chownTree(target: string, uid: number, gid: number): Promise<void> {
  await chown(target, uid, gid);
  try {
    for (const entry of await readdir(target)) await chownTree(path.join(target, entry), uid, gid);
  } catch {
    // a file: done
  }
}
