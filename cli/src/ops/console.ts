/**
 * The console as a component of the stack. It runs on the host for both runtimes (it reads
 * through the same operations as the CLI, which talk to the published ports and, for the
 * docker runtime, to the Docker daemon), supervised exactly like the local runtime's
 * services: the same start, readiness wait and stop code, a pid file and a log under the
 * state dir. `oms up` starts it unless `--no-console`; `oms down` stops it.
 */
import type { OmsConfig } from '../config.js';
import { SETTINGS } from '../config.js';
import type { OpsContext } from '../context.js';
import { PrereqError } from '../errors.js';
import { isAlive, readPidFile } from '../lib/process/supervisor.js';
import { ourProcessGroups, portConflicts } from '../lib/runtime/prerequisites.js';
import type { Component, LocalParts } from '../lib/runtime/component.js';
import { serviceComponent } from '../lib/runtime/components/service.js';
import { createContext } from '../lib/runtime/context.js';
import { tailFile } from '../lib/runtime/log-file.js';
import type { ServiceDefinition } from '../lib/runtime/settings.js';
import { startComponent } from '../lib/runtime/start.js';
import { stopComponent } from '../lib/runtime/stop.js';
import type { LogsOptions } from '../lib/stack/types.js';
import { localSettingsFor, type RuntimeKind } from './stack.js';
import { valueAt } from './config.js';
import type { StatusReport } from './status.js';

export const CONSOLE_ID = 'console';

/** The built server, relative to the repository root. */
export const CONSOLE_ENTRY = 'cli/dist/console/server.js';

export function consoleUrl(config: Pick<OmsConfig, 'ports'>): string {
  return `http://127.0.0.1:${config.ports.console}`;
}

/**
 * The console's environment: every setting of this invocation as its OMS_* variable (so the
 * console sees the same stack as the `oms up` that started it, whatever flags or file said),
 * the runtime already resolved, and the variables the Docker client reads.
 */
export function consoleEnv(ctx: OpsContext, kind: RuntimeKind): Record<string, string> {
  const env: Record<string, string> = {};
  for (const spec of SETTINGS) {
    const value = valueAt(ctx.loaded.config, spec.key);
    // Every setting's schema yields a string, number or boolean.
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') env[spec.env] = String(value);
  }
  env.OMS_RUNTIME = kind;
  for (const [name, value] of Object.entries(ctx.env)) {
    if (value !== undefined && (name.startsWith('DOCKER_') || name === 'XDG_CACHE_HOME')) env[name] = value;
  }
  return env;
}

/** The console as one supervised process of the local runtime's kind. */
function consoleProcess(ctx: OpsContext, kind: RuntimeKind = 'local'): { parts: LocalParts; component: Component } {
  const definition: ServiceDefinition = { name: CONSOLE_ID, port: ctx.loaded.config.ports.console, entry: CONSOLE_ENTRY, needs: [], env: () => consoleEnv(ctx, kind) };
  const settings = { ...localSettingsFor(ctx), services: [definition] };
  const runtime = createContext(settings, ({ component, message }) => ctx.debug(`${component}: ${message}`));
  const component: Component = { ...serviceComponent(runtime, definition), title: 'Console' };
  return { parts: { ctx: runtime, components: [component] }, component };
}

/** Before `up` starts anything: the console's port held by a process that is not this stack's console is a PrereqError. */
export async function checkConsolePort(ctx: OpsContext): Promise<void> {
  const { parts, component } = consoleProcess(ctx);
  const held = (await portConflicts(parts, component, await ourProcessGroups(parts))).filter((h) => h.ownedBy !== CONSOLE_ID);
  if (held.length > 0) {
    throw new PrereqError(`port ${ctx.loaded.config.ports.console} (the console) is in use by ${held.map((h) => h.holder).join(', ')}`, {
      hint: 'stop that process, give the console another port (OMS_PORT_CONSOLE), or skip it: `oms up --no-console`',
    });
  }
}

/** Starts the console unless it runs; resolves to the step outcome (`already running (pid 12)`). */
export function startConsole(ctx: OpsContext, kind: RuntimeKind): Promise<string> {
  const { parts, component } = consoleProcess(ctx, kind);
  return startComponent(parts, component, { adopted: new Map() });
}

export function stopConsole(ctx: OpsContext): Promise<string> {
  const { parts, component } = consoleProcess(ctx);
  return stopComponent(parts, component);
}

export function consoleLogFile(ctx: OpsContext): string {
  return consoleProcess(ctx).parts.ctx.paths.logFile(CONSOLE_ID);
}

export function consoleLogs(ctx: OpsContext, opts: LogsOptions = {}): AsyncIterable<string> {
  return tailFile(consoleLogFile(ctx), opts);
}

/** The console's row of `oms status`. */
export async function consoleStatus(ctx: OpsContext): Promise<StatusReport['components'][number]> {
  const { parts, component } = consoleProcess(ctx);
  const record = await readPidFile(parts.ctx.paths.pidFile(CONSOLE_ID));
  const running = isAlive(record);
  const probe = await component.probe();
  const state = probe.ready ? (running ? 'ready' : 'external') : running ? 'running' : 'stopped';
  return { id: CONSOLE_ID, kind: 'console', state, pid: running ? record!.pid : null, url: component.url, detail: probe.detail ?? null, startedAt: running ? record!.startedAt : null };
}
