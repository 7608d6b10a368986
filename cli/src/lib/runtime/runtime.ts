/**
 * The local runtime: MariaDB, PostgreSQL, Elasticsearch, Kafka, Kafka Connect and the Node
 * services as detached processes the CLI supervises through pid files under the state dir.
 * Every operation is idempotent; nothing here prints or exits: progress goes to `onProgress`,
 * failures are OmsErrors.
 */
import type { ChildProcess } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CheckFailedError, PrereqError, UsageError } from '../../errors.js';
import {
  type PidRecord,
  type StopOutcome,
  acquireLock,
  groupAlive,
  isAlive,
  procStat,
  readPidFile,
  spawnDetached,
  stopProcess,
} from '../process/supervisor.js';
import { cachedArtifacts } from './artifacts.js';
import type { Component } from './component.js';
import { connectComponent } from './components/connect.js';
import { elasticsearchComponent } from './components/elasticsearch.js';
import { kafkaComponent } from './components/kafka.js';
import { mariadbComponent } from './components/mariadb.js';
import { postgresComponent } from './components/postgres.js';
import { serviceComponent } from './components/service.js';
import { type RuntimeContext, createContext } from './context.js';
import { diagnose } from './diagnose.js';
import { fileSize, lastLines, readFrom, tailFile } from './log-file.js';
import { describeHolder, takenPorts } from './ports.js';
import type { Probe } from './probes.js';
import { type RuntimeStep, runSteps } from './steps.js';
import { INFRA_COMPONENTS, type LocalEndpoints, type LocalSettings, SERVICE_INFRA_NEEDS } from './settings.js';

/** A progress line: which component, what is happening. */
export interface ProgressEvent {
  component: string;
  message: string;
}

export interface RuntimeDeps {
  onProgress?: (event: ProgressEvent) => void;
}

export interface UpOptions {
  /** Component ids to bring up (infra names or service names); what they need comes along. */
  only?: string[];
  /** Infra only. */
  skipServices?: boolean;
  /**
   * Accept a port held by a process oms did not start when it passes that component's
   * readiness check (the test setup reuses a stack started by other means). Default false:
   * a held port is a PrereqError naming its holder.
   */
  adoptExternal?: boolean;
}

export interface DownOptions {
  /** Also delete the data dirs (never the artifact cache). */
  volumes?: boolean;
  /** Component ids to stop (default all). Stopping one stops what needs it first. */
  only?: string[];
}

export interface StepResult {
  id: string;
  title: string;
  result: string;
  durationMs: number;
}

export interface DownResult {
  steps: StepResult[];
  /** Ports of the runtime still held by processes oms did not start (left alone). */
  foreignListeners: Array<{ port: number; holder: string }>;
}

export interface ComponentStatus {
  id: string;
  title: string;
  kind: 'infra' | 'service';
  /** pid oms recorded (null when never started or the pid file is gone). */
  pid: number | null;
  /** The recorded process is alive. */
  running: boolean;
  /** The readiness check passes (may be true for a server oms did not start). */
  ready: boolean;
  ports: number[];
  url: string;
  detail?: string;
  logFile: string;
}

export interface LogsOptions {
  /** Last N lines (default 100). */
  lines?: number;
  follow?: boolean;
  /** Ends a `follow`. */
  signal?: AbortSignal;
}

/** The local runtime, as the CLI drives it. */
export interface LocalRuntime {
  readonly settings: LocalSettings;
  /** Ids of every component, infra first, in start order. */
  componentIds(): string[];
  /**
   * The steps of `up`, topologically ordered (running them one by one in array order is
   * correct; `needs` allows running independent ones concurrently, as `up` does). Each `run`
   * resolves to a one-line result (`already running (pid 123)`, `started in 4.2s`).
   */
  steps(opts?: UpOptions): RuntimeStep[];
  /** Runs `steps(opts)`, independent ones concurrently. */
  up(opts?: UpOptions): Promise<StepResult[]>;
  /** The steps of `down` (what needs a component stops before it; then a port check; then wiping). */
  downSteps(opts?: DownOptions): RuntimeStep[];
  down(opts?: DownOptions): Promise<DownResult>;
  status(): Promise<ComponentStatus[]>;
  /** Lines of a component's log (`mariadb`, `kafka`, …, or a service name). */
  logs(component: string, opts?: LogsOptions): AsyncIterable<string>;
  /** Log file path of a component. */
  logFile(component: string): string;
  endpoints(): LocalEndpoints;
}

const LOG_ROTATE_BYTES = 50 * 1024 * 1024;

interface UpState {
  /** Components whose port is held by a foreign server that passes readiness. */
  adopted: Map<string, string>;
}

/** Creates the runtime for `settings` (cheap: nothing is touched until a method runs). */
export function createLocalRuntime(settings: LocalSettings, deps: RuntimeDeps = {}): LocalRuntime {
  const onProgress = deps.onProgress ?? (() => undefined);
  const ctx = createContext(settings, onProgress);
  const components = buildComponents(ctx);
  const byId = new Map(components.map((c) => [c.id, c]));

  function known(ids: string[]): void {
    const unknown = ids.filter((id) => !byId.has(id));
    if (unknown.length > 0) {
      throw new UsageError(`Unknown component${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`, {
        hint: `Known: ${[...byId.keys()].join(', ')}`,
      });
    }
  }

  function selectUp(opts: UpOptions): Component[] {
    const wanted = new Set(opts.only ?? components.map((c) => c.id));
    known([...wanted]);
    const add = (id: string) => {
      const c = byId.get(id);
      if (!c) return;
      for (const need of c.needs) {
        if (!wanted.has(need)) {
          wanted.add(need);
          add(need);
        }
      }
    };
    for (const id of [...wanted]) add(id);
    return components.filter((c) => wanted.has(c.id) && !(opts.skipServices && c.kind === 'service'));
  }

  function selectDown(opts: DownOptions): Component[] {
    const wanted = new Set(opts.only ?? components.map((c) => c.id));
    known([...wanted]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const c of components) {
        if (!wanted.has(c.id) && c.needs.some((n) => wanted.has(n))) {
          wanted.add(c.id);
          grew = true;
        }
      }
    }
    return components.filter((c) => wanted.has(c.id));
  }

  async function ourPgids(): Promise<Map<number, string>> {
    const map = new Map<number, string>();
    for (const c of components) {
      const rec = await readPidFile(ctx.paths.pidFile(c.id));
      if (rec && (isAlive(rec) || groupAlive(rec.pid))) map.set(rec.pid, c.id);
    }
    return map;
  }

  /** Held ports of a component that is not running, each as `port (component) is used by …`. */
  async function portConflicts(c: Component, ours: Map<number, string>): Promise<Array<{ port: number; holder: string; ownedBy?: string }>> {
    const taken = await takenPorts(c.ports, settings.host);
    return taken.map(({ port, listener }) => {
      const owner = listener?.processes.map((p) => ours.get(procStat(p.pid)?.pgid ?? -1)).find(Boolean);
      return { port, holder: describeHolder(listener), ...(owner ? { ownedBy: owner } : {}) };
    });
  }

  async function prerequisites(selected: Component[], opts: UpOptions, state: UpState): Promise<string> {
    const ids = new Set(selected.map((c) => c.id));
    const jvm = selected.some((c) => ['elasticsearch', 'kafka', 'connect'].includes(c.id));
    const notes: string[] = [];
    await ctx.osBinaries({
      mariadb: ids.has('mariadb'),
      postgres: ids.has('postgres'),
      unzip: jvm && !cachedArtifacts(settings.cacheDir, path.join(ctx.assetsDir, 'pom.xml')),
    });
    if (jvm) {
      const java = await ctx.java();
      notes.push(`Java ${java.major}`);
    }
    for (const c of selected) await c.check?.();
    if (selected.some((c) => c.sandboxed)) {
      const sandbox = await ctx.sandbox();
      if (sandbox.user) notes.push(`ES/PostgreSQL run as ${sandbox.user.name}`);
    }
    const ours = await ourPgids();
    const conflicts: string[] = [];
    let running = 0;
    for (const c of selected) {
      if (isAlive(await readPidFile(ctx.paths.pidFile(c.id)))) {
        running++;
        continue;
      }
      const held = (await portConflicts(c, ours)).filter((h) => h.ownedBy !== c.id);
      if (held.length === 0) continue;
      let why = '';
      if (opts.adoptExternal && !held.some((h) => h.ownedBy)) {
        const probe = await c.probe();
        if (probe.ready) {
          state.adopted.set(c.id, held.map((h) => `${h.holder} on ${h.port}`).join(', '));
          continue;
        }
        why = `, which is not a usable ${c.title} (${probe.fatal ?? probe.detail ?? 'no answer'})`;
      }
      for (const h of held) conflicts.push(`port ${h.port} (${c.title}) is in use by ${h.ownedBy ? `oms's ${h.ownedBy}` : h.holder}${why}`);
    }
    if (conflicts.length > 0) {
      throw new PrereqError(`Ports needed by the local runtime are taken: ${conflicts.join('; ')}.`, {
        hint: 'Stop those processes (a server of your own, or another oms state dir: `oms down` there), or give oms other ports in its config.',
        details: conflicts,
      });
    }
    notes.push(running > 0 ? `${running} already running, ports of the others free` : 'all ports free');
    if (state.adopted.size > 0) notes.push(`reusing ${[...state.adopted.keys()].join(', ')} started outside oms`);
    return notes.join('; ');
  }

  async function failWith(c: Component, what: string, logOffset: number, exit?: { code: number | null; signal: string | null }): Promise<never> {
    const logFile = ctx.paths.logFile(c.id);
    const { text } = await readFrom(logFile, logOffset);
    const lines = lastLines(text, 30);
    const diag = diagnose({
      component: c.id,
      lines,
      exitCode: exit?.code ?? null,
      signal: exit?.signal ?? null,
      ports: c.ports,
      stateDir: settings.stateDir,
      cacheDir: settings.cacheDir,
    });
    throw new CheckFailedError(`${c.title} ${what}${diag ? `: ${diag.cause}` : ''}.`, {
      hint: diag?.hint ?? `See its log: ${logFile}   (oms logs ${c.id})`,
      details: lines.length > 0 ? [`last lines of ${logFile}:`, ...lines] : [`${logFile} is empty`],
    });
  }

  /** Waits until `c` is ready (running its post-start setup on the way); fails on exit or timeout. */
  async function waitReady(c: Component, record: PidRecord, logOffset: number, child?: ChildProcess): Promise<void> {
    let exit: { code: number | null; signal: string | null } | undefined;
    child?.once('exit', (code, signal) => {
      exit = { code, signal };
    });
    const started = Date.now();
    const deadline = started + c.readyTimeoutMs;
    let bootstrapped = !c.bootstrapProbe && !c.afterStart;
    let last: Probe = { ready: false };
    let lastReport = started;
    for (;;) {
      if (exit || !isAlive(record)) {
        await sleep(200); // let the last log lines land
        const how = exit ? (exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`) : 'exited';
        return failWith(c, `${how} while starting`, logOffset, exit);
      }
      if (!bootstrapped) {
        last = await (c.bootstrapProbe ?? c.probe)();
        if (last.ready) {
          await c.afterStart?.();
          bootstrapped = true;
          continue;
        }
      } else {
        last = await c.probe();
        if (last.ready) return;
        if (last.fatal) {
          await stopProcess(record, { ...c.stop, timeoutMs: 15_000 });
          return failWith(c, `started but is unusable (${last.fatal})`, logOffset);
        }
      }
      const now = Date.now();
      if (now > deadline) {
        await stopProcess(record, { ...c.stop, timeoutMs: 15_000 });
        return failWith(c, `was not ready within ${Math.round(c.readyTimeoutMs / 1000)}s (last check: ${last.detail ?? 'no answer'}); stopped it`, logOffset);
      }
      if (now - lastReport >= 10_000) {
        lastReport = now;
        onProgress({ component: c.id, message: `waiting (${Math.round((now - started) / 1000)}s): ${last.detail ?? 'not answering yet'}` });
      }
      await sleep(c.kind === 'service' ? 250 : 500);
    }
  }

  async function start(c: Component, state: UpState): Promise<string> {
    const t0 = Date.now();
    const pidFile = ctx.paths.pidFile(c.id);
    let release: (() => Promise<void>) | undefined = await acquireLock(path.join(ctx.paths.runDir, `${c.id}.lock`), {
      timeoutMs: c.readyTimeoutMs + 120_000,
      onWait: (pid) => onProgress({ component: c.id, message: `waiting for another oms (pid ${pid}) starting it` }),
    });
    const unlock = async () => {
      const r = release;
      release = undefined;
      await r?.();
    };
    try {
      const existing = await readPidFile(pidFile);
      if (isAlive(existing)) {
        await unlock();
        const probe = await c.probe();
        if (probe.ready) return `already running (pid ${existing!.pid})`;
        onProgress({ component: c.id, message: `running (pid ${existing!.pid}) but not ready yet: waiting` });
        await waitReady(c, existing!, await fileSize(ctx.paths.logFile(c.id)));
        return `running (pid ${existing!.pid}), ready after ${secs(t0)}`;
      }
      const adopted = state.adopted.get(c.id);
      if (adopted) return `reusing ${adopted} (not started by oms)`;
      if (existing) await stopProcess(existing, { signal: 'SIGKILL', group: true, timeoutMs: 5000 }); // orphans of a dead leader
      const ours = await ourPgids();
      const held = await portConflicts(c, ours);
      if (held.length > 0) {
        throw new PrereqError(`${c.title} cannot start: ${held.map((h) => `port ${h.port} is in use by ${h.ownedBy ? `oms's ${h.ownedBy}` : h.holder}`).join('; ')}.`, {
          hint: 'Stop that process, or give oms another port in its config.',
        });
      }
      const logFile = ctx.paths.logFile(c.id);
      // one generation of history is plenty for a demo stack
      if ((await fileSize(logFile)) > LOG_ROTATE_BYTES) await rename(logFile, `${logFile}.1`);
      onProgress({ component: c.id, message: 'preparing' });
      await c.prepare();
      const launch = await c.launch();
      const sandbox = c.sandboxed ? await ctx.sandbox() : undefined;
      const logOffset = await fileSize(logFile);
      const { child, record } = await spawnDetached(
        {
          ...launch,
          logFile,
          banner: `----- oms: starting ${c.id} at ${new Date().toISOString()}: ${launch.command} ${launch.args.join(' ')}`,
          ...(sandbox?.user ? { uid: sandbox.user.uid, gid: sandbox.user.gid } : {}),
        },
        pidFile,
      );
      await unlock();
      onProgress({ component: c.id, message: `started (pid ${record.pid}), waiting until ready` });
      await waitReady(c, record, logOffset, child);
      return `started (pid ${record.pid}), ready in ${secs(t0)}`;
    } finally {
      await unlock();
    }
  }

  async function stop(c: Component): Promise<string> {
    const t0 = Date.now();
    const pidFile = ctx.paths.pidFile(c.id);
    const release = await acquireLock(path.join(ctx.paths.runDir, `${c.id}.lock`), {
      timeoutMs: c.readyTimeoutMs + 120_000,
      onWait: (pid) => onProgress({ component: c.id, message: `waiting for another oms (pid ${pid}) using it` }),
    });
    try {
      const record = await readPidFile(pidFile);
      const outcome: StopOutcome = await stopProcess(record, c.stop);
      await rm(pidFile, { force: true });
      if (outcome === 'not-running') return 'not running';
      return outcome === 'killed' ? `did not stop within ${c.stop.timeoutMs / 1000}s: killed` : `stopped (pid ${record!.pid}) in ${secs(t0)}`;
    } finally {
      await release();
    }
  }

  function steps(opts: UpOptions = {}): RuntimeStep[] {
    const selected = selectUp(opts);
    const state: UpState = { adopted: new Map() };
    const ids = new Set(selected.map((c) => c.id));
    const jvm = selected.some((c) => ['elasticsearch', 'kafka', 'connect'].includes(c.id));
    const list: RuntimeStep[] = [{ id: 'prerequisites', title: 'Check prerequisites', needs: [], run: () => prerequisites(selected, opts, state) }];
    if (jvm) {
      list.push({
        id: 'artifacts',
        title: 'Fetch Kafka, Debezium and Elasticsearch (cached)',
        needs: ['prerequisites'],
        run: async () => {
          const t0 = Date.now();
          const a = await ctx.artifacts();
          return a.fetched ? `fetched and extracted in ${secs(t0)} into ${a.dir}` : `cached in ${a.dir}`;
        },
      });
    }
    for (const c of selected) {
      const usesArtifacts = ['elasticsearch', 'kafka', 'connect'].includes(c.id);
      list.push({
        id: c.id,
        title: `${c.title} on ${c.kind === 'service' ? c.url : `${settings.host}:${c.ports[0]}`}`,
        needs: ['prerequisites', ...(usesArtifacts ? ['artifacts'] : []), ...c.needs.filter((n) => ids.has(n))],
        run: () => start(c, state),
      });
    }
    return list;
  }

  function downSteps(opts: DownOptions = {}, foreignSink: Array<{ port: number; holder: string }> = []): RuntimeStep[] {
    const selected = selectDown(opts);
    const list: RuntimeStep[] = [];
    for (const c of [...selected].reverse()) {
      // What needs it stops first; beyond that, tiers: services, Connect (its connectors
      // talk to the databases), Kafka and Elasticsearch, then the databases.
      const dependents = selected.filter((d) => d.needs.includes(c.id) || stopTier(d) < stopTier(c));
      list.push({ id: `stop:${c.id}`, title: `Stop ${c.title}`, needs: dependents.map((d) => `stop:${d.id}`), run: () => stop(c) });
    }
    const stopIds = list.map((s) => s.id);
    list.push({
      id: 'verify',
      title: 'Check that no port is still held',
      needs: stopIds,
      run: async () => {
        const ours = await ourPgids();
        const leftovers: string[] = [];
        const foreign: string[] = [];
        for (const c of selected) {
          for (const h of await portConflicts(c, ours)) {
            (h.ownedBy ? leftovers : foreign).push(`port ${h.port} (${c.title}): ${h.holder}`);
            if (!h.ownedBy) foreignSink.push({ port: h.port, holder: h.holder });
          }
        }
        if (leftovers.length > 0) {
          throw new CheckFailedError('Processes started by oms still hold ports after stopping.', {
            hint: 'Kill them by pid (see below), then run `oms down` again.',
            details: leftovers,
          });
        }
        return foreign.length > 0 ? `ports still held by processes oms did not start: ${foreign.join('; ')}` : 'all ports free';
      },
    });
    if (opts.volumes) {
      list.push({
        id: 'volumes',
        title: 'Delete data dirs',
        needs: ['verify'],
        run: async () => {
          const dirs: string[] = [];
          for (const c of selected) {
            dirs.push(...(await c.dataDirs()), ctx.paths.logFile(c.id));
          }
          for (const dir of dirs) await rm(dir, { recursive: true, force: true });
          return `deleted ${dirs.length} paths under ${settings.stateDir}`;
        },
      });
    }
    return list;
  }

  return {
    settings,
    componentIds: () => components.map((c) => c.id),
    steps,
    async up(opts = {}) {
      return runSteps(steps(opts), { onProgress });
    },
    downSteps: (opts) => downSteps(opts),
    async down(opts = {}) {
      const foreignListeners: Array<{ port: number; holder: string }> = [];
      const results = await runSteps(downSteps(opts, foreignListeners), { onProgress });
      return { steps: results, foreignListeners };
    },
    async status() {
      return Promise.all(
        components.map(async (c): Promise<ComponentStatus> => {
          const record = await readPidFile(ctx.paths.pidFile(c.id));
          const running = isAlive(record);
          const probe = await c.probe();
          return {
            id: c.id,
            title: c.title,
            kind: c.kind,
            pid: record && running ? record.pid : null,
            running,
            ready: probe.ready,
            ports: c.ports,
            url: c.url,
            ...(probe.detail ? { detail: probe.detail } : {}),
            logFile: ctx.paths.logFile(c.id),
          };
        }),
      );
    },
    logs(component, opts = {}) {
      known([component]);
      return tailFile(ctx.paths.logFile(component), opts);
    },
    logFile: (component) => ctx.paths.logFile(component),
    endpoints: () => ctx.endpoints,
  };
}

function buildComponents(ctx: RuntimeContext): Component[] {
  const infra = {
    mariadb: mariadbComponent,
    postgres: postgresComponent,
    elasticsearch: elasticsearchComponent,
    kafka: kafkaComponent,
    connect: connectComponent,
  } satisfies Record<(typeof INFRA_COMPONENTS)[number], (ctx: RuntimeContext) => Component>;
  return [
    ...INFRA_COMPONENTS.map((id) => infra[id](ctx)),
    ...ctx.settings.services.map((s) => serviceComponent(ctx, s, s.needs ?? [...SERVICE_INFRA_NEEDS])),
  ];
}

function stopTier(c: Component): number {
  if (c.kind === 'service') return 0;
  return { connect: 1, kafka: 2, elasticsearch: 2 }[c.id] ?? 3;
}

function secs(since: number): string {
  return `${((Date.now() - since) / 1000).toFixed(1)}s`;
}
