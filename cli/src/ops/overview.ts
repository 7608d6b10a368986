/**
 * The console's overview: `oms status` (every component, the connectors, the processor's
 * lag) plus what a person exploring the stack wants beside each component — its uptime, the
 * last lines of its log, the command that starts it when it is stopped, and links to the API
 * docs, GraphiQL and metrics.
 */
import type { OpsContext } from '../context.js';
import { endpointsFor } from '../lib/endpoints.js';
import { isAlive, readPidFile } from '../lib/process/supervisor.js';
import { statePaths } from '../lib/runtime/context.js';
import { describeProgress, progressDetail } from '../lib/lag.js';
import { fileSize } from '../lib/runtime/log-file.js';
import { entryOf } from '../lib/stack/catalogue.js';
import { CONSOLE_ID, consoleLogFile, consoleLogs } from './console.js';
import type { ChosenStack, Stack } from './stack.js';
import { collectStatus, type StatusReport } from './status.js';

export interface Link {
  label: string;
  url: string;
}

export type OverviewComponent = StatusReport['components'][number] & {
  title: string;
  /** Milliseconds since it started; null when stopped or unknown (containers: see `detail`). */
  uptimeMs: number | null;
  logFile: string;
  /** The last lines of its log (a few hundred characters each at most). */
  logTail: string[];
  /** The command that starts it; null while it runs. */
  start: string | null;
  links: Link[];
};

export interface Overview extends Omit<StatusReport, 'components'> {
  /** ISO time it was collected. */
  at: string;
  components: OverviewComponent[];
  /** The processor's lag in words, as `oms status` says it (`caught up`, `12 behind`, unknown and why), and where it is; null when Kafka is not up. */
  progress: { summary: string; detail: string } | null;
  /** Where to explore the APIs: each REST service's docs, GraphiQL. */
  links: Link[];
}

/** The browser-facing pages of the services (the docs pages and GraphiQL come with the services). */
function linksOf(id: string, url: string): Link[] {
  switch (id) {
    case 'customers':
    case 'products':
    case 'orders':
    case 'shipping':
      return [{ label: 'API docs', url: `${url}/docs` }];
    case 'orders-graph':
      return [{ label: 'GraphiQL', url: `${url}/graphql` }];
    case 'orders-stream':
      return [{ label: 'metrics', url: `${url}/metrics` }];
    case 'connect':
      return [{ label: 'connectors', url: `${url}/connectors` }];
    default:
      return [];
  }
}

async function lastLines(lines: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const line of lines) out.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
  } catch {
    // no log (yet), or its container is gone: nothing to show
  }
  return out;
}

/**
 * Which components' processes are alive, cheaply: the local runtime's pid files (no probe
 * touches a server), the docker runtime's container list (one call).
 */
async function liveness(ctx: OpsContext, stack: Stack): Promise<string> {
  if (stack.kind === 'docker') return (await stack.status()).map((s) => `${s.id}:${String(s.running)}`).join(' ');
  const paths = statePaths(ctx.loaded.config.stateDir);
  const ids = [...stack.componentIds(), CONSOLE_ID];
  const records = await Promise.all(ids.map((id) => readPidFile(paths.pidFile(id))));
  return ids.map((id, i) => `${id}:${isAlive(records[i]) ? records[i]!.pid : '-'}`).join(' ');
}

/** How old the probes, connectors and lag of a live overview may get (processes are checked every time). */
export const FULL_EVERY_MS = 10_000;

/**
 * Overviews for a page that stays open, every couple of seconds: which processes are alive
 * is checked every time (cheap); the readiness probes, the connectors and the processor's
 * lag (a dozen connections, most of the cost) only every `fullMs`, or at once when a process
 * started or stopped. Keeps an idle console well under 2% of a core.
 */
export function overviewCollector(ctx: OpsContext, chosen: ChosenStack, opts: { fullMs?: number; logLines?: number } = {}): () => Promise<Overview> {
  const { stack } = chosen;
  let full: { at: number; status: StatusReport; alive: string } | undefined;
  const tails = logTails(ctx, stack, opts.logLines ?? 5);
  return async () => {
    const now = Date.now();
    const alive = await liveness(ctx, stack);
    const refresh = !full || now - full.at >= (opts.fullMs ?? FULL_EVERY_MS) || alive !== full.alive;
    const [status, logs] = await Promise.all([refresh ? collectStatus(ctx, { chosen }) : full!.status, tails(refresh)]);
    if (refresh) full = { at: now, status, alive };
    return withDetails(ctx, stack, status, logs);
  };
}

/**
 * The last lines of every component's log (the console's included), by id. A log file whose
 * size did not change since the last call is not read again (most do not, most of the time);
 * containers' logs (a call to the Docker daemon each) only on a `refresh`.
 */
function logTails(ctx: OpsContext, stack: Stack, lines: number): (refresh: boolean) => Promise<Map<string, string[]>> {
  const ids = [...stack.componentIds(), CONSOLE_ID];
  const known = new Map<string, { size: number; lines: string[] }>();
  const tail = async (id: string, refresh: boolean): Promise<string[]> => {
    const isConsole = id === CONSOLE_ID;
    const seen = known.get(id);
    let size = -1;
    if (!isConsole && stack.kind === 'docker') {
      if (seen && !refresh) return seen.lines;
    } else {
      size = await fileSize(isConsole ? consoleLogFile(ctx) : stack.logFile(id));
      if (seen?.size === size) return seen.lines;
    }
    const read = await lastLines(isConsole ? consoleLogs(ctx, { lines }) : stack.logs(id, { lines }));
    known.set(id, { size, lines: read });
    return read;
  };
  return async (refresh) => {
    const all = await Promise.all(ids.map((id) => tail(id, refresh)));
    return new Map(ids.map((id, i) => [id, all[i]!]));
  };
}

/** The status joined with each component's title, uptime, log tail, start command and links. */
function withDetails(ctx: OpsContext, stack: Stack, status: StatusReport, logs: Map<string, string[]>): Overview {
  const now = Date.now();
  const runtimeFlag = stack.kind === 'docker' ? ' --runtime docker' : '';
  const components = status.components.map((c): OverviewComponent => {
    const isConsole = c.id === CONSOLE_ID;
    const started = c.startedAt ? Date.parse(c.startedAt) : NaN;
    return {
      ...c,
      title: isConsole ? 'Console' : (entryOf(c.id)?.title ?? c.id),
      uptimeMs: c.state !== 'stopped' && c.state !== 'crashloop' && Number.isFinite(started) ? Math.max(0, now - started) : null,
      logFile: isConsole ? consoleLogFile(ctx) : stack.logFile(c.id),
      logTail: logs.get(c.id) ?? [],
      start: c.state === 'stopped' || c.state === 'crashloop' ? `oms up --only ${c.id}${runtimeFlag}` : null,
      links: linksOf(c.id, c.url),
    };
  });
  const services = endpointsFor(ctx.loaded.config).services;
  return {
    ...status,
    at: new Date(now).toISOString(),
    components,
    progress: status.lag ? { summary: describeProgress(status.lag), detail: progressDetail(status.lag) } : null,
    links: [
      { label: 'GraphiQL', url: `${services.ordersGraph}/graphql` },
      { label: 'customers API docs', url: `${services.customers}/docs` },
      { label: 'products API docs', url: `${services.products}/docs` },
      { label: 'orders API docs', url: `${services.orders}/docs` },
      { label: 'shipping API docs', url: `${services.shipping}/docs` },
    ],
  };
}
