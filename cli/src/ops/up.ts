/**
 * `oms up`'s operation: the plan (build, the runtime's components, topics, connectors,
 * seed) and running it with the one step runner. Idempotent: a second run on a running
 * stack changes nothing. The last run's step timings are kept for `oms report`.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import type { OpsContext, ProgressHooks } from '../context.js';
import { ExternalError, PrereqError } from '../errors.js';
import type { DockerRuntime } from '../lib/docker/runtime.js';
import { endpointsFor, type Endpoints } from '../lib/endpoints.js';
import { statePaths } from '../lib/runtime/context.js';
import type { LocalRuntime } from '../lib/runtime/index.js';
import { SERVICE_IDS } from '../lib/stack/catalogue.js';
import { type BrokerCount, catalogueIdOf, ordersStreamIds, readTopology, rememberTopology, resolveTopology, type Topology } from '../lib/stack/topology.js';
import { runSteps, StepFailure, type Step, type StepResult } from '../lib/steps.js';
import { connectorsStepOutcome, describeRestart, type RestartedConnector } from './connectors.js';
import { checkConsolePort, CONSOLE_ID, consoleUrl, startConsole } from './console.js';
import { runPreflight, type CheckResult } from './doctor.js';
import { KEEPER_ID, keeperStartStep, stopKeeper, withKeeperStopped } from './keeper.js';
import { describeSeed, runSeed } from './seed.js';
import { chooseStack, localRuntimeFor, localSettingsFor, rememberStackRuntime, runtimeSwitchNotice, type RuntimeKind, type Stack } from './stack.js';
import { topicsStepOutcome } from './topics.js';

/** Where `up` keeps its last run's step timings, under the state dir. */
export const LAST_UP_FILE = 'last-up.json';

export interface UpPlan {
  /** Components to bring up (and what they need); `console` is the console. */
  only?: string[];
  /** Kafka brokers (`--brokers`): 1 or 3; default the state dir's remembered count, else 1. */
  brokers?: BrokerCount;
  /** orders-stream instances (`--scale orders-stream=N`); default the remembered count, else 1. */
  ordersStream?: number;
  seed: boolean;
  /** Start the console (default: yes, unless `only` leaves it out). */
  console?: boolean;
}

/** `only` without the console and the keeper, which are not components of the runtime. */
function runtimeOnly(only: string[] | undefined): string[] | undefined {
  return only?.filter((id) => id !== CONSOLE_ID && id !== KEEPER_ID);
}

/** Whether the plan starts the console. */
export function plansConsole(plan: Pick<UpPlan, 'only' | 'console'>): boolean {
  return plan.console !== false && (!plan.only || plan.only.includes(CONSOLE_ID));
}

/** The console's step: it needs nothing (it shows a stack that is still coming up, or failed to). */
function consoleStep(ctx: OpsContext, kind: RuntimeKind): Step {
  return { id: CONSOLE_ID, title: `Console on ${consoleUrl(ctx.loaded.config)}`, run: () => startConsole(ctx, kind) };
}

/** `tsc -b` in the repo: what `oms build` runs and what `up` runs when a service is not built. */
export async function compileTypeScript(repoRoot: string, rerun: string): Promise<void> {
  const res = await execa(join(repoRoot, 'node_modules', '.bin', 'tsc'), ['-b'], { cwd: repoRoot, reject: false, all: true });
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- execa leaves the output undefined when the command cannot start (ENOENT), whatever its type says
  if (res.exitCode !== 0) throw new ExternalError('the TypeScript build failed', { details: (res.all ?? '').split('\n').slice(-40), hint: `fix the errors, then rerun \`${rerun}\`` });
}

/** The local runtime's first step: build the services when one is missing its build output. */
function buildStep(ctx: OpsContext): Step {
  return {
    id: 'build',
    title: 'Build services',
    run: async () => {
      const missing = localSettingsFor(ctx).services.filter((s) => !existsSync(join(ctx.repoRoot, s.entry)));
      if (missing.length === 0) return 'up to date';
      await compileTypeScript(ctx.repoRoot, 'oms up');
      return `built (${missing.map((s) => s.name).join(', ')} were missing)`;
    },
  };
}

/** The topics, connectors and seed steps, when the plan has what they talk to. */
function pipelineSteps(ctx: OpsContext, plan: UpPlan, kind: RuntimeKind, ids: Set<string>, onRestart?: (r: RestartedConnector) => void): Step[] {
  const steps: Step[] = [];
  const brokers = [...ids].filter((id) => catalogueIdOf(id) === 'kafka');
  if (ids.has('kafka')) steps.push({ id: 'topics', title: 'Create topics', needs: brokers, run: () => topicsStepOutcome(endpointsFor(ctx.loaded.config, { brokers: brokers.length }).kafkaBrokers) });
  if (!SERVICE_IDS.every((id) => ids.has(id)) || !ids.has('connect')) return steps;
  steps.push({
    id: 'connectors',
    title: 'Submit Debezium connectors, restart failed ones',
    // The source connectors read tables the services create (shipping's outbox among them), and
    // the sink writes the read model's table.
    needs: ['connect', 'topics', 'customers', 'orders', 'orders-graph', 'shipping'],
    run: (progress) =>
      connectorsStepOutcome(ctx, kind, (r) => {
        progress(describeRestart(r));
        onRestart?.(r);
      }),
  });
  if (plan.seed) {
    steps.push({
      id: 'seed',
      title: 'Seed demo data',
      needs: ['connectors', ...SERVICE_IDS],
      run: async (progress) => {
        const r = await runSeed(ctx, ctx.loaded.config.seed, progress);
        const added = r.products.published + r.stock.set + r.customers.created + r.orders.placed;
        return added > 0 ? describeSeed(r).split('\n').map((l) => l.trim()).join('; ') : 'already seeded';
      },
    });
  }
  return steps;
}

/**
 * Every step of `oms up`: build, the runtime's components, topics, connectors (failed ones
 * restarted, each passed to `onRestart`), seed. The docker runtime builds its images in its
 * own first step, so the TypeScript build is the local runtime's only. Services consume and
 * produce the pipeline topics, so they start after `topics`.
 */
export function upSteps(ctx: OpsContext, plan: UpPlan, stack: Stack, onRestart?: (r: RestartedConnector) => void): Step[] {
  const only = runtimeOnly(plan.only);
  const consoleSteps = plansConsole(plan) ? [consoleStep(ctx, stack.kind)] : [];
  // The keeper comes with a whole `up`, or when `--only` names it: after `oms down --only
  // keeper`, an `up --only x` leaves it off.
  const keeper = !plan.only || plan.only.includes(KEEPER_ID);
  // `--only console` / `--only keeper`: nothing of the runtime, not even its build or images.
  if (only?.length === 0) return [...(keeper ? [keeperStartStep(ctx, stack.kind, [])] : []), ...consoleSteps];
  const runtimeSteps = stack.steps(only ? { only } : {});
  const ids = new Set(runtimeSteps.map((s) => s.id));
  const isService = (id: string) => SERVICE_IDS.includes(catalogueIdOf(id));
  const components = runtimeSteps.map((s) => (isService(s.id) ? { ...s, needs: [...(s.needs ?? []), ...(ids.has('kafka') ? ['topics'] : []), 'build'] } : s));
  const built = [...(stack.kind === 'local' ? [buildStep(ctx)] : []), ...components, ...pipelineSteps(ctx, plan, stack.kind, ids, onRestart)];
  // Compose replaces a container by stopping it first: a docker keeper running meanwhile would
  // start the replaced one again (on the same ports), so a whole docker `up` stops it first and
  // starts it again last. The local keeper takes each component's lock instead.
  const planned = stack.kind === 'docker' && keeper ? withKeeperStopped(ctx, built) : built;
  return [...planned, ...(keeper ? [keeperStartStep(ctx, stack.kind, planned)] : []), ...consoleSteps];
}

/** Keeps the last `up`'s step timings in the state dir, for `oms report` (CI artifacts); never fails `up`. */
async function recordSteps(ctx: OpsContext, runtime: RuntimeKind, started: number, steps: StepResult[], error?: string): Promise<void> {
  const file = join(ctx.loaded.config.stateDir, LAST_UP_FILE);
  const doc = { at: new Date(started).toISOString(), runtime, totalMs: Date.now() - started, ok: error === undefined, ...(error ? { error } : {}), steps };
  await mkdir(dirname(file), { recursive: true }).then(() => writeFile(file, `${JSON.stringify(doc, null, 2)}\n`)).catch(() => undefined);
}

/** Names tolerated preflight warnings in one line (not their details: they must not bury every `up`). */
export function noticeWarnings(warnings: CheckResult[], hooks: ProgressHooks): void {
  if (warnings.length > 0) hooks.onNotice?.(`preflight: ${warnings.length} warning(s): ${warnings.map((r) => r.title).join('; ')} (\`oms doctor\` explains)`);
}

/** Refuses what the local runtime cannot run, then runs doctor's checks: nothing starts when one fails. */
export async function checkLocalRuntime(ctx: OpsContext, only: string[] | undefined, hooks: ProgressHooks, command = 'oms up'): Promise<void> {
  if (ctx.loaded.config.mysqlFlavor !== 'mariadb') {
    // The connector templates know the MySQL connector, but Debian ships no MySQL server to run.
    throw new PrereqError('the local runtime runs MariaDB (Debian packages no MySQL server)', { hint: 'unset OMS_MYSQL_FLAVOR (or set it to mariadb)' });
  }
  noticeWarnings(await runPreflight(ctx, only ? { only } : {}, command), hooks);
}

export interface UpResult {
  runtime: RuntimeKind;
  /** Why this runtime: asked for, remembered by the state dir, or detected. */
  runtimeReason: string;
  /** What changed when a runtime other than the remembered one was asked for (null when none did). */
  runtimeSwitch: string | null;
  /** Connectors (or their tasks) found FAILED and restarted, and why they had failed. */
  connectorsRestarted: RestartedConnector[];
  totalMs: number;
  steps: StepResult[];
  endpoints: Endpoints;
}

/** Says what changes when `kind` is not the runtime the state dir remembers; returns that notice, if any. `up` and `reset`. */
export async function announceSwitch(ctx: OpsContext, kind: RuntimeKind, hooks: ProgressHooks): Promise<string | undefined> {
  const switched = await runtimeSwitchNotice(ctx, kind);
  if (switched) hooks.onNotice?.(switched);
  return switched;
}

/**
 * Records the topology `up` runs and, when it differs from the remembered one, makes the
 * running stack fit it: orders-stream instances beyond the new count are stopped (the group
 * hands their partitions to the others; docker removes their containers), and the keeper is
 * stopped so `up` starts one that watches the new set of processes.
 */
async function applyTopology(ctx: OpsContext, stack: LocalRuntime | DockerRuntime, remembered: Topology | undefined, topology: Topology, hooks: ProgressHooks): Promise<void> {
  await rememberTopology(ctx.loaded.config.stateDir, topology);
  if (!remembered || (remembered.brokers === topology.brokers && remembered.ordersStream === topology.ordersStream)) return;
  await stopKeeper(ctx);
  const extra = ordersStreamIds(remembered).slice(topology.ordersStream);
  if (extra.length === 0) return;
  hooks.onNotice?.(`scaling orders-stream from ${remembered.ordersStream} to ${topology.ordersStream}: stopping ${extra.join(', ')}`);
  if (stack.kind === 'docker') await stack.removeServices(extra);
  else await localRuntimeFor(ctx, remembered).down({ only: extra });
}

/** `oms up`: everything (or `only` and what it needs), idempotently; failed connectors and tasks are restarted. */
export async function up(ctx: OpsContext, opts: UpPlan & { offline: boolean }, hooks: ProgressHooks = {}): Promise<UpResult> {
  const started = Date.now();
  let switched: string | undefined;
  const { stateDir } = ctx.loaded.config;
  const asked = { ...(opts.brokers ? { brokers: opts.brokers } : {}), ...(opts.ordersStream ? { ordersStream: opts.ordersStream } : {}) };
  const remembered = readTopology(stateDir);
  const topology = resolveTopology(asked, remembered, false);
  const { stack, choice } = await chooseStack(ctx, { offline: opts.offline, topology, onChoice: async (c) => void (switched = await announceSwitch(ctx, c.kind, hooks)) });
  // Kafka's data: the local runtime's first broker's dir, the docker runtime's volume.
  resolveTopology(asked, remembered, stack.kind === 'local' ? existsSync(join(statePaths(stateDir).kafka.dataDir, 'meta.properties')) : await stack.kafkaDataExists());
  const only = runtimeOnly(opts.only);
  if (stack.kind === 'local' && only?.length !== 0) await checkLocalRuntime(ctx, only, hooks);
  if (plansConsole(opts)) await checkConsolePort(ctx);
  // From here on something may start: it belongs to this runtime, also if a step fails.
  await rememberStackRuntime(ctx, stack.kind);
  await applyTopology(ctx, stack, remembered, topology, hooks);
  const restarted: RestartedConnector[] = [];
  const steps = upSteps(ctx, { ...(opts.only ? { only: opts.only } : {}), seed: opts.seed, ...(opts.console === false ? { console: false } : {}) }, stack, (r) => restarted.push(r));
  let results: StepResult[];
  try {
    results = await runSteps(steps, { signal: ctx.signal, onEvent: hooks.onEvent });
  } catch (err) {
    if (err instanceof StepFailure) await recordSteps(ctx, stack.kind, started, err.results, err.step.error);
    throw err;
  }
  await recordSteps(ctx, stack.kind, started, results);
  return {
    runtime: stack.kind,
    runtimeReason: choice.reason,
    runtimeSwitch: switched ?? null,
    connectorsRestarted: restarted,
    totalMs: Date.now() - started,
    steps: results,
    endpoints: endpointsFor(ctx.loaded.config),
  };
}
