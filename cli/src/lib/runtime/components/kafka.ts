import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type LocalProcess, STOP_GROUP } from '../component.js';
import type { RuntimeContext } from '../context.js';
import { runLogged } from '../exec.js';
import { kafkaJvmArgs, kafkaServerProperties } from '../templates.js';

/**
 * A Kafka cluster id: 16 random bytes, base64url without padding (Kafka's Uuid format). Never
 * one starting with "-": the storage tool would read `--cluster-id -Abc…` as an option (Kafka's
 * own Uuid.randomUuid skips those for the same reason).
 */
export function newClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

/** Kafka in KRaft mode, broker and controller in one JVM, storage formatted once. */
export function kafkaProcess(ctx: RuntimeContext): LocalProcess {
  const { settings, paths } = ctx;
  const p = paths.kafka;
  const logFile = paths.logFile('kafka');

  return {
    ports: [settings.ports.kafka, settings.ports.kafkaController],
    stop: STOP_GROUP,
    sandboxed: false,
    check: () => ctx.java(),
    async prepare() {
      const java = await ctx.java();
      const artifacts = await ctx.artifacts();
      await mkdir(p.dataDir, { recursive: true });
      await writeFile(
        p.config,
        kafkaServerProperties({ host: settings.host, port: settings.ports.kafka, controllerPort: settings.ports.kafkaController, dataDir: p.dataDir }),
      );
      await copyFile(path.join(ctx.assetsDir, 'log4j2.properties'), p.log4j);
      if (existsSync(path.join(p.dataDir, 'meta.properties'))) return;
      if (!existsSync(p.clusterIdFile)) await writeFile(p.clusterIdFile, `${newClusterId()}\n`);
      const clusterId = (await readFile(p.clusterIdFile, 'utf8')).trim();
      ctx.progress('kafka', `formatting storage (cluster ${clusterId})`);
      await runLogged(
        java.bin,
        [
          ...kafkaJvmArgs({ heap: '256m', log4jConfig: p.log4j, libsDir: artifacts.libsDir }),
          'kafka.tools.StorageTool',
          'format',
          '--cluster-id',
          clusterId,
          '--config',
          p.config,
          '--ignore-formatted',
        ],
        { logFile, component: 'kafka', cwd: p.dir, timeoutMs: 120_000 },
      );
    },
    async launch() {
      const java = await ctx.java();
      const artifacts = await ctx.artifacts();
      return {
        command: java.bin,
        args: [...kafkaJvmArgs({ heap: settings.heap.kafka, log4jConfig: p.log4j, libsDir: artifacts.libsDir }), 'kafka.Kafka', p.config],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', JAVA_HOME: java.home, LANG: 'C.UTF-8' },
        cwd: p.dir,
      };
    },
    async dataDirs() {
      return [p.dir];
    },
  };
}
