import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type LocalProcess, STOP_GROUP } from '../component.js';
import type { RuntimeContext } from '../context.js';
import { runLogged } from '../exec.js';
import { kafkaJvmArgs, kafkaServerProperties } from '../templates.js';
import { brokerId, brokerPorts } from '../../stack/topology.js';

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

/** Writes the cluster id once (exclusive create: three brokers preparing at once agree on one); returns it. */
async function clusterIdOf(file: string): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, `${newClusterId()}\n`, { flag: 'wx' }).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
  return (await readFile(file, 'utf8')).trim();
}

/**
 * Kafka in KRaft mode, broker and controller in one JVM, storage formatted once. `node` is
 * its node id: 1 (`kafka`) alone, or one of the three voters of a three-broker stack, each
 * with its own ports, dir and pid file (see lib/stack/topology.ts).
 */
export function kafkaProcess(ctx: RuntimeContext, node = 1): LocalProcess {
  const { settings, paths } = ctx;
  const p = paths.kafkaNode(node);
  const id = brokerId(node);
  const logFile = paths.logFile(id);
  const own = brokerPorts(settings.ports, node);
  const voters = Array.from({ length: settings.brokers }, (_, i) => ({ id: i + 1, controllerPort: brokerPorts(settings.ports, i + 1).controller }));

  return {
    ports: [own.client, own.controller],
    stop: STOP_GROUP,
    sandboxed: false,
    check: () => ctx.java(),
    async prepare() {
      const java = await ctx.java();
      const artifacts = await ctx.artifacts();
      await mkdir(p.dataDir, { recursive: true });
      await writeFile(
        p.config,
        kafkaServerProperties({ host: settings.host, nodeId: node, port: own.client, controllerPort: own.controller, voters, dataDir: p.dataDir }),
      );
      await copyFile(path.join(ctx.assetsDir, 'log4j2.properties'), p.log4j);
      if (existsSync(path.join(p.dataDir, 'meta.properties'))) return;
      const clusterId = await clusterIdOf(p.clusterIdFile);
      ctx.progress(id, `formatting storage (cluster ${clusterId})`);
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
        { logFile, component: id, cwd: p.dir, timeoutMs: 120_000 },
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
