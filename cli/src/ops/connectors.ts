/**
 * The Debezium connectors as desired state: what this runtime needs, submitting only what
 * differs, their states, restarting failed ones, and waiting until they run.
 */
import type { OpsContext } from '../context.js';
import { CheckFailedError, NotFoundError, UsageError } from '../errors.js';
import { ConnectClient, type ConnectorStatus } from '../lib/connect.js';
import { diffConfig, loadConnectorFiles, redact, renderConnector, templateValues, type ConfigChange, type ConnectorFile } from '../lib/connectors.js';
import { endpointsFor } from '../lib/endpoints.js';
import { pollUntil } from '../lib/retry.js';
import { connectorHosts, type RuntimeKind } from './stack.js';

export interface ConnectorState {
  name: string;
  state: string;
  tasks: Array<{ id: number; state: string; trace?: string }>;
  trace?: string;
  healthy: boolean;
}

export interface SubmitOutcome {
  name: string;
  action: 'created' | 'updated' | 'unchanged' | 'would-create' | 'would-update';
  changes: ConfigChange[];
}

/**
 * The connectors as this runtime needs them, optionally narrowed to `names`. Connect runs
 * them, so under the docker runtime they reach the databases and Kafka by in-network names.
 */
export function desiredConnectors(ctx: OpsContext, names: string[] = [], runtime: RuntimeKind = 'local'): ConnectorFile[] {
  const { endpoints, hosts } = connectorHosts(runtime, endpointsFor(ctx.loaded.config));
  const values = templateValues(ctx.loaded.config, endpoints, hosts);
  const all = loadConnectorFiles(ctx.repoRoot).map((f) => renderConnector(f, values));
  const unknown = names.filter((n) => !all.some((c) => c.name === n));
  if (unknown.length > 0) {
    throw new UsageError(`unknown connector: ${unknown.join(', ')}`, { hint: `known: ${all.map((c) => c.name).join(', ')}` });
  }
  return names.length > 0 ? all.filter((c) => names.includes(c.name)) : all;
}

export function connectClient(ctx: OpsContext, retryFor409Ms?: number): ConnectClient {
  return new ConnectClient(endpointsFor(ctx.loaded.config).connectUrl, retryFor409Ms);
}

/** Brings each connector's live config to the desired one, touching only those that differ. */
export async function submitConnectors(client: ConnectClient, desired: ConnectorFile[], dryRun: boolean): Promise<SubmitOutcome[]> {
  const outcomes: SubmitOutcome[] = [];
  for (const connector of desired) {
    const live = await client.getConfig(connector.name);
    const changes = diffConfig(connector.config, live).map((c) => ({ key: c.key, from: redact(c.key, c.from), to: redact(c.key, c.to) }));
    if (live && changes.length === 0) {
      outcomes.push({ name: connector.name, action: 'unchanged', changes });
    } else if (dryRun) {
      outcomes.push({ name: connector.name, action: live ? 'would-update' : 'would-create', changes });
    } else {
      outcomes.push({ name: connector.name, action: await client.putConfig(connector.name, connector.config), changes });
    }
  }
  return outcomes;
}

export function summarise(name: string, status: ConnectorStatus | undefined): ConnectorState {
  if (!status) return { name, state: 'MISSING', tasks: [], healthy: false };
  const tasks = status.tasks.map((t) => ({ id: t.id, state: t.state, ...(t.trace ? { trace: t.trace } : {}) }));
  const healthy = status.connector.state === 'RUNNING' && tasks.length > 0 && tasks.every((t) => t.state === 'RUNNING');
  return { name, state: status.connector.state, tasks, ...(status.connector.trace ? { trace: status.connector.trace } : {}), healthy };
}

export async function connectorStates(client: ConnectClient, names: string[]): Promise<ConnectorState[]> {
  return Promise.all(names.map(async (n) => summarise(n, await client.status(n))));
}

/** A connector as the console lists it: its state, and whether it is one of ours (connectors/*.json). */
export interface ConnectorView extends ConnectorState {
  type: string | null;
  ours: boolean;
}

/** Every connector Connect runs — ours first, in file order, a missing one as MISSING — then any other, by name. */
export async function listConnectors(ctx: OpsContext): Promise<ConnectorView[]> {
  const live = await connectClient(ctx, 5000).expanded();
  const ours = desiredConnectors(ctx).map((c) => c.name);
  const others = Object.keys(live).filter((n) => !ours.includes(n)).sort();
  return [...ours, ...others].map((name) => {
    const entry = live[name];
    const status = entry?.status ? { name, connector: entry.status.connector, tasks: entry.status.tasks } : undefined;
    return { ...summarise(name, status), type: entry?.status?.type ?? entry?.info?.type ?? null, ours: ours.includes(name) };
  });
}

/**
 * Restarts a connector and its tasks (running ones too, unless `onlyFailed`); resolves to
 * Connect's answer, where what it restarts shows RESTARTING. A name Connect does not know is
 * a NotFoundError.
 */
export async function restartConnector(ctx: OpsContext, name: string, onlyFailed: boolean): Promise<ConnectorState> {
  const client = connectClient(ctx, 15_000);
  const answer = await client.restart(name, { onlyFailed });
  if (!answer) {
    const known = Object.keys(await client.expanded()).sort();
    throw new NotFoundError(`Kafka Connect has no connector named "${name}"`, { hint: `connectors: ${known.join(', ') || '(none)'}` });
  }
  return summarise(name, answer);
}

/** A connector or one of its tasks is FAILED. */
export const isFailed = (s: Pick<ConnectorState, 'state' | 'tasks'>) => s.state === 'FAILED' || s.tasks.some((t) => t.state === 'FAILED');

/** A connector `oms` restarted because it (or a task of it) had failed, and why it had. */
export interface RestartedConnector {
  name: string;
  /** What had failed: `connector`, `task 0`, … */
  parts: string[];
  /** The first line of each failed part's trace (plus its root cause): why it had failed. */
  why: string;
}

/**
 * Why a connector or task failed, in one line: the trace's first line (the exception and its
 * message) and, when the trace has causes, the last one (a sink's "unrecoverable exception"
 * is only explained by its cause).
 */
export function failureReason(trace: string | undefined): string {
  const lines = (trace ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  if (lines.length === 0) return 'Connect reported no trace';
  const cause = lines.filter((l) => l.startsWith('Caused by:')).at(-1)?.replace(/^Caused by:\s*/, '');
  const clip = (text: string) => (text.length > 240 ? `${text.slice(0, 239)}…` : text);
  return cause && cause !== lines[0] ? `${clip(lines[0]!)} (caused by ${clip(cause)})` : clip(lines[0]!);
}

/** The failed parts of a connector and why each failed. */
export function describeFailure(s: ConnectorState): RestartedConnector {
  const failed = [...(s.state === 'FAILED' ? [{ part: 'connector', trace: s.trace }] : []), ...s.tasks.filter((t) => t.state === 'FAILED').map((t) => ({ part: `task ${t.id}`, trace: t.trace }))];
  const reasons = [...new Set(failed.map((f) => failureReason(f.trace)))];
  return { name: s.name, parts: failed.map((f) => f.part), why: reasons.join('; ') };
}

/** Known causes in a trace and what to do about each; the first that matches is the fix. */
const KNOWN_CAUSES: Array<{ pattern: RegExp; fix: string }> = [
  {
    pattern: /Connection to \S+ refused|Connection refused|Communications link failure|could not connect|The connection attempt failed|Socket is closed|This connection has been closed/i,
    fix: 'the database the connector talks to does not answer: `oms status` shows which (PostgreSQL for oms-graph and oms-shipping, MariaDB for the other sources); `oms up` starts it and then restarts the connector',
  },
  { pattern: /password authentication failed|Access denied for user/i, fix: 'the database refused the connector\'s user: `oms reset` recreates the users (it wipes the data), or check the credentials in connectors/*.json' },
  {
    pattern: /wal_level|logical decoding|replication slot/i,
    fix: 'PostgreSQL must run with wal_level=logical and free replication slots for oms-shipping: `oms up` restarts the local PostgreSQL with them; a PostgreSQL started outside oms needs those settings',
  },
  { pattern: /binlog|binary log/i, fix: 'MariaDB must write a row-based binlog (log_bin, binlog_format=ROW): the local runtime configures it; a MariaDB started outside oms needs those settings' },
];

/** What to do about a connector that failed again after a restart. */
export function connectorFix(s: ConnectorState): string {
  const traces = [s.trace, ...s.tasks.map((t) => t.trace)].filter(Boolean).join('\n');
  const known = KNOWN_CAUSES.find((k) => k.pattern.test(traces));
  const then = 'then rerun `oms up` (it restarts failed connectors and tasks)';
  return known ? `${known.fix}; ${then}` : `read the trace above and \`oms logs connect\`, fix the cause, ${then}`;
}

/** Connect may report the old FAILED state for a moment after a restart request: only later is FAILED a new failure. */
const RESTART_SETTLE_MS = 5000;

export interface ConvergeOptions {
  timeoutMs: number;
  /** Called as each failed connector is restarted (before it runs again). */
  onRestart?: (restarted: RestartedConnector) => void;
}

/**
 * Brings the named connectors to RUNNING with every task RUNNING: waits while they start, and
 * restarts (Connect's restart API, only the failed instances) each connector or task found
 * FAILED, saying which and why. One that fails again after its restart ends the wait with a
 * CheckFailedError carrying its trace and the fix. What `oms up` runs after submitting, what
 * `oms connectors restart` runs, and what a watchdog can call. Returns what was restarted.
 */
export async function healConnectors(ctx: OpsContext, names: string[], opts: ConvergeOptions): Promise<RestartedConnector[]> {
  const client = connectClient(ctx);
  const restarted = new Map<string, { record: RestartedConnector; at: number; recovered: boolean }>();
  let last: ConnectorState[] = [];
  await pollUntil(
    async () => {
      last = await connectorStates(client, names);
      if (last.every((s) => s.healthy)) return true;
      for (const s of last) {
        const earlier = restarted.get(s.name);
        if (!isFailed(s)) {
          if (earlier) earlier.recovered = true;
          continue;
        }
        if (earlier) {
          if (earlier.recovered || Date.now() - earlier.at > RESTART_SETTLE_MS) {
            throw new CheckFailedError(`connector ${s.name} failed again after oms restarted it: ${describeFailure(s).why}`, { details: renderStates([s]).split('\n'), hint: connectorFix(s) });
          }
          continue;
        }
        const record = describeFailure(s);
        await client.restartFailed(s.name);
        restarted.set(s.name, { record, at: Date.now(), recovered: false });
        opts.onRestart?.(record);
      }
      return undefined;
    },
    {
      timeoutMs: opts.timeoutMs,
      minDelayMs: 500,
      signal: ctx.signal,
      onTimeout: () =>
        new CheckFailedError(`connectors not RUNNING within ${opts.timeoutMs / 1000} s: ${last.filter((s) => !s.healthy).map((s) => `${s.name} ${s.state}`).join(', ')}`, {
          details: renderStates(last).split('\n'),
          hint: 'see `oms logs connect` and `oms connectors status`; rerun `oms up` once the cause is fixed',
        }),
    },
  );
  return [...restarted.values()].map((r) => r.record);
}

/**
 * `oms connectors restart`: restarts the failed connectors and tasks among `names` (default
 * all) and waits until they run again; connectors Connect does not know are reported, not waited for.
 */
export async function restartFailedConnectors(ctx: OpsContext, names: string[]): Promise<{ restarted: RestartedConnector[]; connectors: ConnectorState[] }> {
  const all = desiredConnectors(ctx, names).map((c) => c.name);
  const known = (await connectorStates(connectClient(ctx), all)).filter((s) => s.state !== 'MISSING').map((s) => s.name);
  const restarted = await healConnectors(ctx, known, { timeoutMs: 60_000 });
  return { restarted, connectors: await connectorStates(connectClient(ctx), all) };
}

/** One line per restart: which parts of which connector, and why they had failed. */
export function describeRestart(r: RestartedConnector): string {
  return `restarted ${r.name} ${r.parts.join(', ')} (had failed: ${r.why})`;
}

/** The first lines of a Java trace: the exception and its cause are what matter. */
export function traceHead(trace: string, lines = 8): string[] {
  const all = trace.split('\n');
  const causes = all.filter((l) => l.startsWith('Caused by:'));
  return [...all.slice(0, lines), ...causes.slice(-3)].map((l) => l.replace(/\t/g, '  '));
}

/** One line per connector with its tasks, then the head of each failure trace. */
export function renderStates(states: ConnectorState[]): string {
  return states
    .map((s) => {
      const head = `${s.name.padEnd(14)} ${s.state.padEnd(10)} tasks: ${s.tasks.map((t) => `${t.id}=${t.state}`).join(' ') || '(none)'}`;
      const traces = [s.trace, ...s.tasks.map((t) => t.trace)].filter((t): t is string => Boolean(t));
      return [head, ...traces.flatMap((t) => traceHead(t).map((l) => `    ${l}`))].join('\n');
    })
    .join('\n');
}

/** The `up` step: submit what differs, then every connector and task RUNNING (failed ones restarted, each reported through `onRestart`). */
export async function connectorsStepOutcome(ctx: OpsContext, runtime: RuntimeKind, onRestart?: (r: RestartedConnector) => void): Promise<string> {
  const desired = desiredConnectors(ctx, [], runtime);
  const outcomes = await submitConnectors(connectClient(ctx), desired, false);
  const restarted = await healConnectors(ctx, desired.map((c) => c.name), { timeoutMs: 60_000, ...(onRestart ? { onRestart } : {}) });
  const changed = [...outcomes.filter((o) => o.action !== 'unchanged').map((o) => `${o.name} ${o.action}`), ...restarted.map(describeRestart)];
  return changed.length > 0 ? `${changed.join('; ')}; all RUNNING` : 'unchanged, all RUNNING';
}
