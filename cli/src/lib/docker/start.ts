/**
 * Starting one container of the docker runtime and watching it until it is ready: the
 * container runs, its healthcheck is not failing, and the catalogue's probe answers on the
 * published port. A failure carries the container's log tail.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { CheckFailedError, PrereqError } from '../../errors.js';
import { catalogueIdOf } from '../stack/topology.js';
import type { Step } from '../steps.js';
import { describeHolder, takenPorts } from '../runtime/ports.js';
import { containerLogTail, inspectImage, type ProjectContainer } from './client.js';
import type { DockerComponent } from './components.js';
import { compose } from './compose.js';
import { type DockerParts, HOST } from './parts.js';

async function failWithLogs(parts: DockerParts, c: ProjectContainer | undefined, id: string, message: string): Promise<never> {
  const tail = c ? await containerLogTail(parts.docker, c.id, 40).catch(() => []) : [];
  throw new CheckFailedError(message, {
    details: tail.length > 0 ? [`last lines of ${c!.name}:`, ...tail.map((l) => `  ${l}`)] : [],
    hint: `\`oms logs ${id}\` shows the whole log; \`oms down\` then \`oms up --runtime docker\` retries`,
  });
}

/** Fails when the container is gone, stopped or restarting over and over: waiting will not help. */
async function assertAlive(parts: DockerParts, id: string, c: ProjectContainer | undefined): Promise<ProjectContainer> {
  if (!c) return failWithLogs(parts, c, id, `the ${id} container is gone`);
  if (c.state === 'exited' || c.state === 'dead') await failWithLogs(parts, c, id, `the ${id} container (${c.name}) stopped: ${c.status}`);
  if (c.state === 'restarting' || c.status.includes('Restarting')) {
    const restarts = (await parts.docker.getContainer(c.id).inspect()).RestartCount;
    if (restarts >= 2) await failWithLogs(parts, c, id, `the ${id} container (${c.name}) keeps restarting (${restarts} restarts)`);
  }
  return c;
}

/** Watches the container until it is ready; a loop, not a retry: the container's state ends it early. */
export async function waitReady(parts: DockerParts, entry: DockerComponent, progress?: (message: string) => void): Promise<void> {
  const deadline = Date.now() + parts.timeoutMs;
  let told = Date.now();
  for (;;) {
    const c = await assertAlive(parts, entry.id, await parts.containerOf(entry.id));
    const last = await entry.probe(entry.at);
    if (last.fatal) await failWithLogs(parts, c, entry.id, `${entry.id}: ${last.fatal}`);
    if (last.ready && c.state === 'running' && c.health !== 'unhealthy') return;
    if (progress && Date.now() - told > 5000) {
      told = Date.now();
      progress(`waiting: ${c.status}; ${last.detail ?? ''}`);
    }
    if (Date.now() > deadline) {
      await failWithLogs(parts, c, entry.id, `${entry.id} (container ${c.name}, ${c.status}) was not ready within ${parts.timeoutMs / 1000} s: ${last.detail ?? 'no detail'}`);
    }
    await sleep(500);
  }
}

async function assertPortsFree(entry: DockerComponent): Promise<void> {
  const { id } = entry;
  const taken = await takenPorts(entry.published, HOST);
  if (taken.length === 0) return;
  const many = taken.length > 1;
  throw new PrereqError(`port${many ? 's' : ''} ${taken.map((t) => t.port).join(', ')} of ${id} ${many ? 'are' : 'is'} taken: ${taken.map((t) => `${t.port} by ${describeHolder(t.listener)}`).join('; ')}`, {
    hint: 'stop what holds it, or move our port (see `oms config` for the OMS_PORT_* variables)',
  });
}

/** The step that brings `entry`'s container up (after the images and what it needs); a current, ready container is left alone. */
export function startStep(parts: DockerParts, entry: DockerComponent, needs: string[]): Step {
  return {
    id: entry.id,
    title: `${entry.title} (container)`,
    needs: ['images', ...needs],
    async run(progress) {
      const existing = await parts.containerOf(entry.id);
      // Brokers and instances share their first one's image (kafka-2: kafka's).
      const ref = (await parts.plan()).find((i) => i.id === catalogueIdOf(entry.id))?.ref;
      const image = ref ? await inspectImage(parts.docker, ref) : undefined;
      const current = existing?.state === 'running' && existing.imageId === image?.id;
      if (current && (await entry.probe(entry.at)).ready) return `already running (${existing.name})`;
      if (existing?.state !== 'running') await assertPortsFree(entry);
      const t0 = Date.now();
      await compose(await parts.project(), ['up', '-d', '--no-deps', '--no-build', entry.id]);
      await waitReady(parts, entry, progress);
      const secs = ((Date.now() - t0) / 1000).toFixed(1);
      return existing ? `${existing.imageId === image?.id ? 'restarted' : 'recreated with the new image'}, ready in ${secs}s` : `started, ready in ${secs}s`;
    },
  };
}
