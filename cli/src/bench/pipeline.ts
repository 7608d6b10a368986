/**
 * Pipeline benchmark (a script, not a test) against a running local stack (`oms up` first, same
 * OMS_* settings). In one run it prints:
 *   idle      CPU per process and in total with no traffic (from /proc, every process group the
 *             state dir's pid files name), once the youngest process is --settle-seconds old:
 *             the median of --idle-windows consecutive windows;
 *   latency   POST /orders → visible in GraphQL at a low rate (5/s), p50/p99;
 *   ramp      the same by rate (100, 200, … orders/s, a step search bounded in time) with
 *             whether the lag stayed flat, the highest flat rate, and CPU per order per process;
 *   reads     GET /products/:sku against Elasticsearch's own GET /products/_doc/<sku>, same
 *             client, same concurrency, alternated;
 *   defaults  the connectors PUT back to Debezium's defaults (no poll interval, batch, linger or
 *             fetch-wait overrides), the low rate measured again, then ours restored: both
 *             latencies and the ratio.
 *
 *   npm run bench:pipeline -- [--quick] [--only idle,latency,ramp,reads,defaults] [--json file]
 *
 * Orders come from the load module `oms load` uses (cli/src/lib/load).
 */
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../config.js';
import type { OpsContext } from '../context.js';
import { isOmsError } from '../errors.js';
import type { ConnectorFile } from '../lib/connectors.js';
import { endpointsFor } from '../lib/endpoints.js';
import { httpClient, type HttpClient } from '../lib/http.js';
import { percentile, runLoad, summariseLoad, type LoadSummary } from '../lib/load/load.js';
import { GraphWatcher, placeStackOrder, prepareOrders, type LoadFixture } from '../lib/load/stack.js';
import { componentGroups, cpuDelta, ownCpuSeconds, sampleCpu, youngestAgeSeconds, type CpuTotals } from '../lib/process/cpu.js';
import { findRepoRoot } from '../lib/runtime/settings.js';
import { scriptArgs } from '../lib/script-args.js';
import { productPageSchema, serviceClients } from '../lib/services.js';
import { connectClient, connectorStates, desiredConnectors } from '../ops/connectors.js';

const PHASES = ['idle', 'latency', 'ramp', 'reads', 'defaults'] as const;
type Phase = (typeof PHASES)[number];

const USAGE = `usage: npm run bench:pipeline [-- --quick] [--only ${PHASES.join(',')}] [--json FILE]
  [--settle-seconds 600] [--idle-seconds 60] [--idle-windows 3] [--low-rate 5] [--warmup-seconds 10] [--low-seconds 30]
  [--ramp 100,200,...] [--step-seconds 15] [--ramp-budget-seconds 360] [--ramp-watch-ms 25] [--read-seconds 10]
  Needs the local runtime's stack (oms up, same OMS_* settings). --quick shortens every phase.`;
const parsedArgs = scriptArgs(
  'bench:pipeline',
  {
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      json: { type: 'string' },
      'idle-seconds': { type: 'string' },
      'idle-windows': { type: 'string' },
      'settle-seconds': { type: 'string' },
      'low-rate': { type: 'string', default: '5' },
      'low-seconds': { type: 'string' },
      'warmup-seconds': { type: 'string' },
      ramp: { type: 'string' },
      'step-seconds': { type: 'string' },
      'ramp-budget-seconds': { type: 'string' },
      'read-seconds': { type: 'string' },
      'ramp-watch-ms': { type: 'string' },
    },
  },
  USAGE,
);
if (!parsedArgs.ok) {
  (parsedArgs.exitCode === 0 ? console.log : console.error)(parsedArgs.text);
  process.exit(parsedArgs.exitCode);
}
const args = parsedArgs.values;
const quick = args.quick;
const num = (v: string | undefined, full: number, fast: number) => (v === undefined ? (quick ? fast : full) : Number(v));
const settings = {
  idleS: num(args['idle-seconds'], 60, 20),
  // Consecutive idle windows; the result is the median one. The broker's and Connect's periodic
  // work (5-minute checks, log flushes, the JIT) lands in one window and not the next: three
  // consecutive 60 s windows of one stack gave 5.71, 4.18 and 4.51% of a core (2026-11-29 19:41;
  // Kafka 2.83% in the first).
  idleWindows: num(args['idle-windows'], 3, 1),
  settleS: num(args['settle-seconds'], 600, 60),
  lowRate: Number(args['low-rate']),
  lowS: num(args['low-seconds'], 30, 12),
  // Before each low-rate measurement: this many seconds at 100 orders/s, a pause, then 5 s at
  // the low rate, the last timed and printed on its own. The measurement is of a warm stack:
  // after minutes of idle (or with connectors just replaced) Kafka's and Connect's code runs
  // interpreted until the JIT compiles it, which at 5 orders/s takes minutes (15 s at 5/s
  // still left p50 51 ms against 35 ms after the ramp, one run, 2026-11-29).
  warmupS: num(args['warmup-seconds'], 10, 4),
  ramp: (args.ramp ?? (quick ? '100,200,300,400' : '100,200,300,400,500,600,800')).split(',').map(Number),
  stepS: num(args['step-seconds'], 15, 8),
  rampBudgetS: num(args['ramp-budget-seconds'], 360, 120),
  readS: num(args['read-seconds'], 10, 4),
  // How often the ramp asks GraphQL for the orders it waits for. Each ask is a GraphQL query
  // and a PostgreSQL one, counted in the CPU per order: every 3 ms (the low rate's resolution)
  // that was ~2 asks per order at 100/s, more work than the pipeline's own read model does.
  rampWatchMs: num(args['ramp-watch-ms'], 25, 25),
};
const only = new Set<Phase>(args.only ? (args.only.split(',') as Phase[]) : PHASES);
const unknownPhases = [...only].filter((p) => !PHASES.includes(p));
if (unknownPhases.length) {
  console.error(`bench:pipeline: --only: unknown phase ${unknownPhases.map((p) => `"${p}"`).join(', ')} (known: ${PHASES.join(', ')})\n\n${USAGE}`);
  process.exit(2);
}

const repoRoot = findRepoRoot();
const loaded = loadConfig({ repoRoot, cwd: process.cwd(), env: process.env, flags: {} });
const ctx: OpsContext = { loaded, cwd: process.cwd(), repoRoot, env: process.env, signal: new AbortController().signal, debug: () => undefined };
const endpoints = endpointsFor(loaded.config);
const clients = serviceClients(endpoints);
const elasticsearch = httpClient({ service: 'Elasticsearch', baseUrl: endpoints.elasticsearchUrl });
const groups = await componentGroups(loaded.config.stateDir);
if (groups.size === 0) console.warn(`no pid files under ${loaded.config.stateDir}/run: CPU is not measured (is this the local runtime's state dir?)`);

const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '–');
const f1 = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '–');
const load1 = () => os.loadavg()[0]!.toFixed(2);
const LOADGEN = 'bench (load generator)';

/** CPU seconds by component, plus this process. */
function cpuNow(): CpuTotals {
  const t = sampleCpu(groups);
  t.set(LOADGEN, ownCpuSeconds());
  return t;
}

const report: Record<string, unknown> = {
  at: new Date().toISOString(),
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '?', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  settings: { ...settings, quick },
};

// ---- idle -----------------------------------------------------------------------------------
async function idle(): Promise<void> {
  // Idle CPU decays for minutes after a start, mostly the JVMs' JIT compilers still at work
  // (Kafka's C2 thread: ~0.5% of a core 3 min after `oms up`, ~0.15% at 10): on one quiet
  // machine 4.98–5.35% of a core at 3 min, 4.75% at 10 (2026-11-29, README).
  const age = youngestAgeSeconds(groups);
  if (age !== undefined && age < settings.settleS) {
    console.log(`\n== idle: the youngest process started ${age.toFixed(0)}s ago; waiting ${(settings.settleS - age).toFixed(0)}s more for the stack to settle (--settle-seconds ${settings.settleS})`);
    await sleep((settings.settleS - age) * 1000);
  }
  console.log(
    `\n== idle: CPU over ${settings.idleWindows} window(s) of ${settings.idleS}s with no traffic, the youngest process ${(youngestAgeSeconds(groups) ?? 0).toFixed(0)}s old (load average ${load1()})`,
  );
  const windows: Array<{ seconds: number; processes: Array<{ process: string; pctOfCore: number }>; totalPctOfCore: number }> = [];
  for (let w = 0; w < settings.idleWindows; w++) {
    const before = sampleCpu(groups);
    const t0 = performance.now();
    await sleep(settings.idleS * 1000);
    const s = (performance.now() - t0) / 1000;
    const d = cpuDelta(before, sampleCpu(groups));
    const processes = [...d].map(([id, cpu]) => ({ process: id, pctOfCore: (cpu / s) * 100 })).sort((a, b) => b.pctOfCore - a.pctOfCore);
    const totalPctOfCore = processes.reduce((sum, r) => sum + r.pctOfCore, 0);
    windows.push({ seconds: s, processes, totalPctOfCore });
    if (settings.idleWindows > 1) {
      const top = processes.slice(0, 3).map((r) => `${r.process} ${r.pctOfCore.toFixed(2)}`).join(', ');
      console.log(`  window ${w + 1}: ${totalPctOfCore.toFixed(2)} % of one core (${top}, …)`);
    }
  }
  // The median window by total (the middle one of three), shown whole.
  const median = [...windows].sort((a, b) => a.totalPctOfCore - b.totalPctOfCore)[Math.floor((windows.length - 1) / 2)]!;
  if (settings.idleWindows > 1) console.log(`  the median window (${windows.indexOf(median) + 1}):`);
  for (const r of median.processes) console.log(`  ${r.process.padEnd(16)} ${r.pctOfCore.toFixed(2).padStart(6)} % of one core`);
  console.log(`  ${'TOTAL'.padEnd(16)} ${median.totalPctOfCore.toFixed(2).padStart(6)} % of one core   (target < 5%; load average after ${load1()})`);
  report.idle = {
    seconds: median.seconds,
    youngestProcessAgeSeconds: youngestAgeSeconds(groups),
    processes: median.processes,
    totalPctOfCore: median.totalPctOfCore,
    windows: windows.map((w) => w.totalPctOfCore),
    loadAverage: os.loadavg(),
  };
}

// ---- latency and ramp -----------------------------------------------------------------------
let fixture: LoadFixture | undefined;
async function orders(totalOrders: number): Promise<LoadFixture> {
  fixture ??= await prepareOrders(clients, { customers: 5, orders: totalOrders });
  return fixture;
}

/** Orders every phase may place (for the restock), generously. */
const plannedOrders = () => 20 + (settings.lowRate * (settings.lowS + 5) + WARMUP_RATE * settings.warmupS) * 4 + settings.ramp.reduce((sum, r) => sum + r * settings.stepS, 0);

interface Measured extends LoadSummary {
  rate: number;
  /** CPU ms per order by process (the run plus its drain), and their sum. */
  cpuMsPerOrder: Record<string, number>;
  cpuMsPerOrderTotal: number;
  /** GraphQL requests the latency watcher sent per order: part of orders-graph's and PostgreSQL's CPU above. */
  watcherRequestsPerOrder: number;
}

async function measure(rate: number, seconds: number, watchMs = 3): Promise<Measured> {
  const fx = await orders(plannedOrders());
  const watcher = new GraphWatcher(clients.ordersGraph, watchMs);
  const before = cpuNow();
  try {
    const result = await runLoad({ rate, durationS: seconds, place: placeStackOrder(clients.orders, fx), watcher, drainMs: 30_000 });
    const summary = summariseLoad(result);
    const d = cpuDelta(before, cpuNow());
    const perOrder = Object.fromEntries([...d].map(([id, s]) => [id, (s * 1000) / Math.max(1, summary.accepted)]));
    return {
      ...summary,
      rate,
      cpuMsPerOrder: perOrder,
      cpuMsPerOrderTotal: Object.values(perOrder).reduce((a, b) => a + b, 0),
      watcherRequestsPerOrder: watcher.requests / Math.max(1, summary.accepted),
    };
  } finally {
    await watcher.stop();
  }
}

function line(label: string, m: Measured): string {
  return (
    `  ${label.padEnd(12)} asked ${String(m.rate).padStart(4)}/s sent ${f0(m.achievedRate).padStart(4)}/s  n=${m.sent}  POST→GraphQL p50 ${f0(m.p50Ms).padStart(5)} ms p99 ${f0(m.p99Ms).padStart(5)} ms` +
    `  (POST p50 ${f0(m.postP50Ms)} ms)  refused ${m.refused} not-visible ${m.notVisible}  lag ${m.flat ? 'flat' : 'GROWING'}  CPU ${f1(m.cpuMsPerOrderTotal)} ms/order`
  );
}

/** Sustained: nearly all of it sent on time, nothing refused or lost, and the lag flat. */
const sustained = (m: Measured) => m.flat && m.refused === 0 && m.notVisible === 0 && m.achievedRate >= m.rate * 0.95;

const WARMUP_RATE = 100;

async function lowRate(label: string): Promise<Measured> {
  if (settings.warmupS > 0) {
    await runLoad({ rate: WARMUP_RATE, durationS: settings.warmupS, place: placeStackOrder(clients.orders, await orders(plannedOrders())) });
    await sleep(5000);
    console.log(line(`(warming)`, await measure(settings.lowRate, 5)));
  }
  const m = await measure(settings.lowRate, settings.lowS);
  console.log(line(label, m));
  return m;
}

async function latency(): Promise<void> {
  console.log(`\n== latency: ${settings.lowRate} orders/s for ${settings.lowS}s, warmed by ${settings.warmupS}s at ${WARMUP_RATE}/s and 5s at ${settings.lowRate}/s (load average ${load1()})`);
  report.latency = await lowRate('low rate');
}

async function ramp(): Promise<void> {
  console.log(`\n== ramp: ${settings.ramp.join(', ')} orders/s, ${settings.stepS}s each, at most ${settings.rampBudgetS}s, GraphQL asked every ${settings.rampWatchMs} ms (load average ${load1()})`);
  const steps: Measured[] = [];
  const deadline = performance.now() + settings.rampBudgetS * 1000;
  let best = 0;
  for (const rate of settings.ramp) {
    if (performance.now() > deadline) {
      console.log(`  (time budget spent: stopped before ${rate}/s)`);
      break;
    }
    const m = await measure(rate, settings.stepS, settings.rampWatchMs);
    console.log(`${line('ramp', m)}  [load ${load1()}]`);
    steps.push(m);
    if (!sustained(m)) break;
    best = rate;
    await sleep(2000); // let queues and GC settle between steps
  }
  console.log(`  highest rate with flat lag: ${best > 0 ? `${best} orders/s` : `below ${String(settings.ramp[0])} orders/s`}`);
  // CPU per order per process, one column per step
  const procs = [...new Set(steps.flatMap((s) => Object.keys(s.cpuMsPerOrder)))].sort((a, b) => (steps[0]?.cpuMsPerOrder[b] ?? 0) - (steps[0]?.cpuMsPerOrder[a] ?? 0));
  console.log(`\n  CPU per order (ms of CPU per accepted order, the step and its drain)`);
  console.log(`  ${'process'.padEnd(24)}${steps.map((s) => `${s.rate}/s`.padStart(9)).join('')}`);
  for (const p of procs) console.log(`  ${p.padEnd(24)}${steps.map((s) => f1(s.cpuMsPerOrder[p] ?? NaN).padStart(9)).join('')}`);
  console.log(`  ${'TOTAL'.padEnd(24)}${steps.map((s) => f1(s.cpuMsPerOrderTotal).padStart(9)).join('')}`);
  const stack = steps.map((s) => s.cpuMsPerOrderTotal - (s.cpuMsPerOrder[LOADGEN] ?? 0));
  console.log(`  ${'stack (without bench)'.padEnd(24)}${stack.map((x) => f1(x).padStart(9)).join('')}   (target ≤ 5 ms)`);
  console.log(`  ${'(GraphQL asks per order)'.padEnd(24)}${steps.map((s) => s.watcherRequestsPerOrder.toFixed(2).padStart(9)).join('')}   the latency watcher's, in orders-graph's and PostgreSQL's CPU`);
  report.ramp = { steps, highestFlatRate: best };
}

// ---- reads ----------------------------------------------------------------------------------
/** The stack's processes a read may cost CPU in: the products service and Elasticsearch. */
const READ_SERVERS = ['products', 'elasticsearch'] as const;

interface Hammered {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  /** CPU milliseconds per answered read in each of {@link READ_SERVERS} over the round. */
  cpuMsPerRead: Record<(typeof READ_SERVERS)[number], number>;
}

async function hammer(client: HttpClient, path: string, seconds: number, concurrency = 8): Promise<Hammered> {
  const lat: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      const res = await client.send('GET', path).catch(() => undefined);
      if (res?.status === 200) lat.push(performance.now() - t);
      else errors++;
    }
  };
  const t0 = performance.now();
  const before = sampleCpu(groups);
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = cpuDelta(before, sampleCpu(groups));
  const perRead = (id: string) => ((cpu.get(id) ?? NaN) * 1000) / lat.length;
  return {
    rps: lat.length / ((performance.now() - t0) / 1000),
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
    errors,
    cpuMsPerRead: { products: perRead('products'), elasticsearch: perRead('elasticsearch') },
  };
}

/**
 * Throughput through one client process on a shared machine says as much about the client and
 * the neighbours as about the server, so each row also gives the servers' CPU per read (from
 * /proc, the stack's products and Elasticsearch processes): what a read costs wherever it runs.
 */
async function reads(): Promise<void> {
  const sku = (await clients.products.json('GET', '/products?limit=1', productPageSchema)).items[0]?.sku;
  if (sku === undefined) throw new Error('the catalogue is empty: run `oms seed` first');
  const index = process.env.ES_INDEX ?? 'products';
  console.log(`\n== reads: ${sku}, 8 connections, ${settings.readS}s per round, two rounds each, alternated (load average ${load1()})`);
  const targets = [
    { label: `products GET /products/${sku}`, client: clients.products, path: `/products/${encodeURIComponent(sku)}` },
    { label: `Elasticsearch GET /${index}/_doc/${sku}`, client: elasticsearch, path: `/${index}/_doc/${encodeURIComponent(sku)}` },
  ];
  for (const t of targets) await hammer(t.client, t.path, 1); // warm-up
  const rounds: Hammered[][] = [[], []];
  for (let round = 0; round < 2; round++) for (const [i, t] of targets.entries()) rounds[i]!.push(await hammer(t.client, t.path, settings.readS));
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const rows = targets.map((t, i) => {
    const r = rounds[i]!;
    const cpuMsPerRead = Object.fromEntries(READ_SERVERS.map((id) => [id, mean(r.map((x) => x.cpuMsPerRead[id]))]));
    return {
      target: t.label,
      rps: mean(r.map((x) => x.rps)),
      p50Ms: Math.max(...r.map((x) => x.p50)),
      p99Ms: Math.max(...r.map((x) => x.p99)),
      errors: r.reduce((s, x) => s + x.errors, 0),
      cpuMsPerRead,
      serverCpuMsPerRead: READ_SERVERS.reduce((s, id) => s + (cpuMsPerRead[id] ?? 0), 0),
    };
  });
  for (const r of rows) {
    const servers = READ_SERVERS.map((id) => `${id} ${(r.cpuMsPerRead[id] ?? NaN).toFixed(3)}`).join(' + ');
    console.log(`  ${r.target.padEnd(44)} ${f0(r.rps).padStart(6)} req/s  p50 ${r.p50Ms.toFixed(2)} ms p99 ${r.p99Ms.toFixed(2)} ms  errors ${r.errors}  CPU/read ${r.serverCpuMsPerRead.toFixed(3)} ms (${servers})`);
  }
  console.log(`  products / Elasticsearch throughput: ${(rows[0]!.rps / rows[1]!.rps).toFixed(2)}  (target ≥ 1); CPU per read: ${(rows[0]!.serverCpuMsPerRead / rows[1]!.serverCpuMsPerRead).toFixed(2)}×`);
  report.reads = { rows, ratio: rows[0]!.rps / rows[1]!.rps, cpuRatio: rows[0]!.serverCpuMsPerRead / rows[1]!.serverCpuMsPerRead };
}

// ---- defaults -------------------------------------------------------------------------------
/** Every key our connector files add to make Debezium and the sink fast (or idle quietly). */
const TUNING_KEYS = ['poll.interval.ms', 'max.batch.size', 'max.queue.size', 'producer.override.linger.ms', 'consumer.override.fetch.max.wait.ms', 'consumer.override.max.poll.records'];

async function putAndWait(files: ConnectorFile[]): Promise<void> {
  const client = connectClient(ctx, 30_000);
  for (const f of files) await client.putConfig(f.name, f.config);
  const deadline = performance.now() + 120_000;
  for (;;) {
    await sleep(1000);
    const states = await connectorStates(client, files.map((f) => f.name));
    if (states.every((s) => s.state === 'RUNNING' && s.tasks.length > 0 && s.tasks.every((t) => t.state === 'RUNNING'))) break;
    if (performance.now() > deadline) throw new Error(`connectors not RUNNING 2 min after the PUT: ${JSON.stringify(states)}`);
  }
  await sleep(3000); // a task reports RUNNING before its first poll: let the pipeline settle
}

/**
 * Ours, Debezium's defaults, ours again (A/B/A): on a machine whose load drifts, comparing the
 * defaults with the mean of the two runs around them keeps the drift out of the ratio.
 */
async function defaults(ours: Measured | undefined): Promise<void> {
  console.log(`\n== defaults: the connectors at Debezium's defaults (without ${TUNING_KEYS.join(', ')}), between two runs of ours (load average ${load1()})`);
  const tuned = desiredConnectors(ctx).filter((c) => ['oms-customers', 'oms-orders', 'oms-graph'].includes(c.name));
  const plain = tuned.map((c) => ({ ...c, config: Object.fromEntries(Object.entries(c.config).filter(([k]) => !TUNING_KEYS.includes(k))) }));
  const before = ours ?? (await lowRate('ours'));
  let theirs: Measured;
  await putAndWait(plain);
  try {
    theirs = await lowRate('defaults');
  } finally {
    await putAndWait(tuned);
    console.log('  (connectors restored to ours)');
  }
  const after = await lowRate('ours again');
  const p50 = (before.p50Ms + after.p50Ms) / 2;
  const p99 = (before.p99Ms + after.p99Ms) / 2;
  console.log(`  ours (mean of both) p50 ${f0(p50)} ms p99 ${f0(p99)} ms; defaults p50 ${f0(theirs.p50Ms)} ms p99 ${f0(theirs.p99Ms)} ms`);
  console.log(`  defaults / ours: p50 ${(theirs.p50Ms / p50).toFixed(1)}×, p99 ${(theirs.p99Ms / p99).toFixed(1)}×`);
  report.defaults = { ours: [before, after], defaults: theirs, p50Ratio: theirs.p50Ms / p50, p99Ratio: theirs.p99Ms / p99 };
}

async function main(): Promise<void> {
  console.log(`bench:pipeline ${quick ? '(quick) ' : ''}${String(report.at)} on ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? '?'}; orders ${clients.orders.baseUrl}, GraphQL ${clients.ordersGraph.baseUrl}`);
  if (only.has('idle')) await idle();
  if (only.has('latency')) await latency();
  if (only.has('ramp')) await ramp();
  if (only.has('reads')) await reads();
  if (only.has('defaults')) await defaults(report.latency as Measured | undefined);
  if (args.json) {
    writeFileSync(args.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nJSON: ${args.json}`);
  }
}

try {
  await main();
} catch (err) {
  // A script's entry point: say what went wrong in one line (and the CLI's hint), not a stack.
  console.error(`bench:pipeline failed: ${err instanceof Error ? err.message : String(err)}`);
  if (isOmsError(err) && err.hint) console.error(`hint: ${err.hint}`);
  process.exitCode = 1;
}
