import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type LocalProcess, STOP_GROUP } from '../component.js';
import type { RuntimeContext } from '../context.js';
import { changedProperties } from '../outdated.js';
import { connectWorkerProperties, kafkaJvmArgs } from '../templates.js';
import { replicationOf } from '../../stack/topology.js';

/** A distributed Kafka Connect worker with the Debezium plugins on its plugin.path. */
export function connectProcess(ctx: RuntimeContext): LocalProcess {
  const { settings, paths } = ctx;
  const p = paths.connect;
  const workerProperties = async () =>
    connectWorkerProperties({
      host: settings.host,
      port: settings.ports.connect,
      bootstrapServers: ctx.endpoints.kafkaBrokers.join(','),
      pluginPath: (await ctx.artifacts()).pluginsDir,
      replicationFactor: replicationOf(settings).replicationFactor,
    });

  return {
    ports: [settings.ports.connect],
    stop: STOP_GROUP,
    sandboxed: false,
    check: () => ctx.java(),
    async prepare() {
      await mkdir(p.dir, { recursive: true });
      await writeFile(p.config, await workerProperties());
      await copyFile(path.join(ctx.assetsDir, 'log4j2.properties'), p.log4j);
    },
    async launch() {
      const java = await ctx.java();
      const artifacts = await ctx.artifacts();
      return {
        command: java.bin,
        args: [
          ...kafkaJvmArgs({ heap: settings.heap.connect, log4jConfig: p.log4j, libsDir: artifacts.libsDir }),
          'org.apache.kafka.connect.cli.ConnectDistributed',
          p.config,
        ],
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', JAVA_HOME: java.home, LANG: 'C.UTF-8' },
        cwd: p.dir,
      };
    },
    // A worker started by an older oms runs with that oms's settings: the plugins of an older
    // artifact set (before shipping, no PostgreSQL connector), older consumer settings. They
    // apply only at start. The config on disk is the one the running worker read (it is
    // rewritten only before a launch).
    async outdated() {
      const running = await readFile(p.config, 'utf8').catch(() => '');
      if (!running) return undefined;
      const plugins = /^plugin\.path=(.*)$/m.exec(running)?.[1];
      const wanted = await workerProperties();
      if (plugins && plugins !== (await ctx.artifacts()).pluginsDir) return `its plugins come from another artifact set (${plugins})`;
      const changed = changedProperties(running, wanted);
      return changed.length ? `its worker settings changed (${changed.join(', ')})` : undefined;
    },
    async dataDirs() {
      // Connect keeps its state in Kafka topics; only the generated config is here.
      return [p.dir];
    },
  };
}

