/**
 * The docker runtime's keeper: starts a container of the compose project again when it stopped
 * while the stack is up. Compose's `restart: unless-stopped` covers a crash of the container's
 * process (an exit, an OOM kill, a `kill -9` of its main process from the host: Docker restarts
 * those itself and the keeper leaves a `restarting` container alone), but the Docker daemon
 * records `docker kill` like `docker stop`, as a stop by hand, and never restarts the container
 * after it (checked against a real daemon: exit 137, restart count 0, it stays down). A killed
 * container is a crash all the same, so the keeper starts it (`docker start`, the same container
 * with its volumes) with the local keeper's backoff and crash-loop limit (lib/runtime/keeper.ts).
 *
 * What counts as intended: `oms down` stops the keeper before compose stops anything, `oms up`
 * stops it while it (re)creates containers and starts it again last, and `oms down --only x`
 * removes the containers it stops (a removed container is nothing to keep). A container stopped
 * by hand with `docker stop` is started again too: stop a component with `oms down --only`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterExit, keeperLimits, type KeepOptions } from '../runtime/keeper.js';
import { type Docker, type ProjectContainer, projectContainers } from './client.js';

interface Watch {
  service: string;
  state: 'watching' | 'backoff' | 'crashloop';
  /** Epoch ms of the exits within the crash-loop window. */
  exits: number[];
  nextAttemptAt: number | null;
  restarts: number;
}

/** Container states the keeper acts on: stopped and not being restarted by Docker itself. */
const STOPPED = new Set(['exited', 'dead']);

/** `exit code 137 (SIGKILL: docker kill, or killed from the host)` and the like, from inspect. */
async function exitReason(docker: Docker, id: string): Promise<string> {
  try {
    const { State: s } = await docker.getContainer(id).inspect();
    const signal = s.ExitCode > 128 ? ` (signal ${s.ExitCode - 128}${s.ExitCode === 137 ? ': SIGKILL, e.g. docker kill' : ''})` : '';
    return `exited with code ${s.ExitCode}${signal}${s.OOMKilled ? ', out of memory' : ''} at ${s.FinishedAt}`;
  } catch (err) {
    return `stopped (inspect failed: ${err instanceof Error ? err.message : String(err)})`;
  }
}

/**
 * Runs the keeper over the compose project `project` until `opts.signal` aborts, or until the
 * project has no container left (`compose down` removed them). Resolves to why it ended.
 */
export async function keepContainers(docker: Docker, project: string, opts: KeepOptions): Promise<string> {
  const limits = keeperLimits(opts);
  const log = opts.log ?? (() => undefined);
  const watches = new Map<string, Watch>();
  let lastHeal = Date.now();

  const exited = (w: Watch, reason: string) => {
    const next = afterExit(w.exits, Date.now(), limits);
    w.exits = next.exits;
    if (next.crashloop) {
      Object.assign(w, { state: 'crashloop', nextAttemptAt: null });
      log(`${w.service}: crash loop (${next.exits.length} exits within ${limits.windowMs / 1000}s), not starting it any more; last: ${reason}; \`oms up\` starts it again`);
      return;
    }
    Object.assign(w, { state: 'backoff', nextAttemptAt: Date.now() + next.delayMs });
    log(`${w.service}: ${reason}; starting it again in ${(next.delayMs / 1000).toFixed(1)}s`);
  };

  const look = async (c: ProjectContainer) => {
    const w = watches.get(c.id) ?? { service: c.service, state: 'watching', exits: [], nextAttemptAt: null, restarts: 0 };
    watches.set(c.id, w);
    if (!STOPPED.has(c.state)) {
      // Running, restarting (Docker's own policy at work), or started again by someone else (`oms up` after a crash loop).
      if (c.state === 'running' && w.state !== 'watching') Object.assign(w, { state: 'watching', nextAttemptAt: null, exits: [] });
      return;
    }
    if (w.state === 'crashloop') return;
    if (w.state === 'watching') exited(w, await exitReason(docker, c.id));
    if (w.state !== 'backoff' || Date.now() < (w.nextAttemptAt ?? 0)) return;
    try {
      await docker.getContainer(c.id).start();
      w.restarts++;
      Object.assign(w, { state: 'watching', nextAttemptAt: null });
      log(`${w.service}: started again (container ${c.name}; restart ${w.restarts})`);
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      // 304: already running (started by someone else meanwhile); 404: removed (`oms down --only`).
      if (status === 304 || status === 404) Object.assign(w, { state: 'watching', nextAttemptAt: null });
      else exited(w, `start failed: ${err instanceof Error ? err.message.split('\n')[0]! : String(err)}`);
    }
  };

  log(`keeper (pid ${process.pid}) watching the containers of compose project ${project} every ${limits.intervalMs / 1000}s`);
  let why = 'stopped';
  while (!opts.signal.aborted) {
    const containers = await projectContainers(docker, project).catch((err: unknown) => {
      log(`the Docker daemon did not answer (${err instanceof Error ? err.message : String(err)}); looking again`);
      return undefined;
    });
    if (containers?.length === 0 && opts.exitWhenEmpty !== false) {
      why = `nothing left to watch (project ${project} has no container)`;
      break;
    }
    for (const c of containers ?? []) await look(c);
    for (const id of watches.keys()) if (containers && !containers.some((c) => c.id === id)) watches.delete(id);
    const connect = containers?.find((c) => c.service === 'connect');
    if (opts.heal && connect?.state === 'running' && connect.health !== 'starting' && Date.now() - lastHeal >= limits.healEveryMs) {
      lastHeal = Date.now();
      const healed = await opts.heal().catch((err: unknown) => `connector check failed: ${err instanceof Error ? err.message : String(err)}`);
      if (healed) log(`connectors: ${healed}`);
    }
    await sleep(limits.intervalMs, undefined, { signal: opts.signal }).catch(() => undefined);
  }
  log(`keeper ending: ${why}`);
  return why;
}
