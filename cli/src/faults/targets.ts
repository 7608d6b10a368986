/**
 * How the fault battery kills a component, per runtime: the local runtime's process group from
 * its pid file (`kill -9`), or the docker runtime's container (`docker kill`, SIGKILL). Each
 * names the killed incarnation (a pid, a container start), so recovery means a new one.
 */
import type { OpsContext } from '../context.js';
import { ExternalError, UsageError } from '../errors.js';
import type { Docker } from '../lib/docker/client.js';
import { connectDocker, projectContainers } from '../lib/docker/client.js';
import { isAlive, readPidFile } from '../lib/process/supervisor.js';
import { statePaths } from '../lib/runtime/context.js';
import type { RuntimeKind } from '../lib/stack/types.js';
import { chooseStack } from '../ops/stack.js';
import type { RowTarget } from './fault-run.js';

export interface FaultTarget {
  runtime: RuntimeKind;
  /** How the kill is done, for the battery's log. */
  how: string;
  /** Kills the component; resolves to its killed incarnation (pid, or container start). */
  kill(component: string): Promise<string>;
  /** The component's running incarnation; undefined while it is not running. */
  incarnation(component: string): Promise<string | undefined>;
}

/**
 * The runtime the battery drives: the stack's (as the CLI resolves it for this state dir),
 * which `--runtime`, when given, must match: killing containers of a stack that runs as local
 * processes (or the other way round) would test nothing.
 */
export function faultRuntime(asked: RuntimeKind | undefined, stack: { kind: RuntimeKind; reason: string }, stateDir: string): RuntimeKind {
  if (asked === undefined || asked === stack.kind) return stack.kind;
  throw new UsageError(`--runtime ${asked}, but the stack of ${stateDir} runs with the ${stack.kind} runtime (${stack.reason})`, {
    hint: `run the battery with --runtime ${stack.kind} (or without --runtime), or bring that stack up first: \`oms up --runtime ${asked}\` with this OMS_STATE_DIR`,
  });
}

/** `kill -9` of the component's whole process group (a server's children die with it, as in a crash). */
export function localTarget(ctx: OpsContext): FaultTarget {
  const pidFile = (component: string) => statePaths(ctx.loaded.config.stateDir).pidFile(component);
  return {
    runtime: 'local',
    how: 'kill -9 of its process group',
    async kill(component) {
      const record = await readPidFile(pidFile(component));
      if (!record || !isAlive(record)) throw new ExternalError(`${component} is not running (no live pid in the state dir) before the kill`);
      process.kill(-record.pid, 'SIGKILL');
      return `pid ${record.pid}`;
    },
    async incarnation(component) {
      const record = await readPidFile(pidFile(component));
      return record && isAlive(record) ? `pid ${record.pid}` : undefined;
    },
  };
}

/**
 * `docker kill` (SIGKILL) of the component's container in the compose project. Docker counts
 * that as a stop by hand and leaves the container down whatever its restart policy says: what
 * starts it again is the keeper (lib/docker/keeper.ts), which the battery thereby tests.
 */
export function dockerTarget(docker: Docker, project: string): FaultTarget {
  const running = async (component: string) => (await projectContainers(docker, project)).find((c) => c.service === component && c.state === 'running');
  const startOf = async (id: string) => `container ${id.slice(0, 12)} started ${(await docker.getContainer(id).inspect()).State.StartedAt}`;
  return {
    runtime: 'docker',
    how: 'docker kill (SIGKILL)',
    async kill(component) {
      const c = await running(component);
      if (!c) throw new ExternalError(`${component} has no running container in compose project ${project} before the kill`);
      const killed = await startOf(c.id);
      await docker.getContainer(c.id).kill({ signal: 'SIGKILL' });
      return killed;
    },
    async incarnation(component) {
      const c = await running(component);
      return c ? startOf(c.id).catch(() => undefined) : undefined;
    },
  };
}

/**
 * The stack once (as the CLI resolves it for this state dir) and how its components are
 * killed, for the battery and the broker kill; `asked` (`--runtime`) must match its runtime.
 */
export async function rowTargetFor(ctx: OpsContext, asked: RuntimeKind | undefined): Promise<RowTarget> {
  const chosen = await chooseStack(ctx);
  const runtime = faultRuntime(asked, chosen.choice, ctx.loaded.config.stateDir);
  const target = runtime === 'docker' ? dockerTarget(connectDocker(ctx.env), ctx.loaded.config.docker.project) : localTarget(ctx);
  return { target, status: { chosen } };
}
