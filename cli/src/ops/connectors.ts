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

const isFailed = (s: ConnectorState) => s.state === 'FAILED' || s.tasks.some((t) => t.state === 'FAILED');

/** Restarts only failed connectors and tasks; returns the states before and which were restarted. */
export async function restartFailedConnectors(ctx: OpsContext, names: string[]): Promise<{ restarted: string[]; before: ConnectorState[] }> {
  const client = connectClient(ctx);
  const before = await connectorStates(client, desiredConnectors(ctx, names).map((c) => c.name));
  const failed = before.filter(isFailed);
  for (const s of failed) await client.restartFailed(s.name);
  return { restarted: failed.map((s) => s.name), before };
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

/**
 * Waits until every connector and task is RUNNING (a fresh connector takes a few seconds to
 * start its task); a FAILED one ends the wait at once, with its trace.
 */
export async function waitConnectorsRunning(ctx: OpsContext, names: string[], timeoutMs: number): Promise<void> {
  const client = connectClient(ctx);
  let last: ConnectorState[] = [];
  const fail = (message: string) => new CheckFailedError(message, { details: renderStates(last).split('\n'), hint: 'see `oms logs connect`; after fixing, `oms connectors restart`' });
  await pollUntil(
    async () => {
      last = await connectorStates(client, names);
      if (last.every((s) => s.healthy)) return true;
      const failed = last.filter(isFailed);
      if (failed.length > 0) throw fail(`connector(s) failed: ${failed.map((s) => s.name).join(', ')}`);
      return undefined;
    },
    { timeoutMs, minDelayMs: 500, signal: ctx.signal, onTimeout: () => fail(`connectors not RUNNING within ${timeoutMs / 1000} s`) },
  );
}

/** The `up` step: submit what differs, then wait until everything runs. */
export async function connectorsStepOutcome(ctx: OpsContext, runtime: RuntimeKind): Promise<string> {
  const desired = desiredConnectors(ctx, [], runtime);
  const outcomes = await submitConnectors(connectClient(ctx), desired, false);
  await waitConnectorsRunning(ctx, desired.map((c) => c.name), 60_000);
  const changed = outcomes.filter((o) => o.action !== 'unchanged').map((o) => `${o.name} ${o.action}`);
  return changed.length > 0 ? changed.join(', ') : 'unchanged, all RUNNING';
}
