import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { Kafka, logLevel } from 'kafkajs';
import { expect } from 'vitest';
import { z } from 'zod';
import { defaultPort, SETTINGS, type OmsConfig } from '../../cli/src/config.js';
import { TOPIC_RESOURCE } from '../../cli/src/lib/kafka.js';
import { pollUntil } from '../../cli/src/lib/retry.js';
import { DESIRED_TOPICS } from '../../cli/src/lib/topics.js';

export const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
/** The built CLI, run as a user runs it (bin/oms execs exactly this after its build check). */
export const CLI = join(REPO_ROOT, 'cli', 'dist', 'index.js');

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  cwd?: string;
  /** Pin the CLI and everything it starts to these CPUs (`taskset -c`), to slow a start down on purpose. */
  cpus?: string;
}

/**
 * Runs the real CLI in a child process, in CI mode (plain lines, no colours), with stdin
 * not a terminal. Never rejects: tests look at exitCode, stdout and stderr.
 */
export interface RunResult {
  /** null only when the CLI was killed (timeout). */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock time of the run. */
  ms: number;
}

export async function oms(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  const started = Date.now();
  const [file, argv] = opts.cpus && existsSync('/usr/bin/taskset') ? ['taskset', ['-c', opts.cpus, 'node', CLI, ...args]] : ['node', [CLI, ...args]];
  const res = await execa(file, argv, {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, CI: '1', NO_COLOR: '1', ...opts.env },
    extendEnv: true,
    stdin: 'ignore',
    reject: false,
    timeout: opts.timeoutMs ?? 120_000,
  });
  return { exitCode: res.exitCode ?? null, stdout: res.stdout ?? '', stderr: res.stderr ?? '', ms: Date.now() - started };
}

/** Default port of each OMS_PORT_* variable, from the CLI's settings table (what `oms config` documents). */
const DEFAULT_PORTS: Record<string, number> = Object.fromEntries(
  SETTINGS.filter((s) => s.key.startsWith('ports.')).map((s) => [s.env, defaultPort(s.key.slice('ports.'.length) as keyof OmsConfig['ports'])]),
);

/**
 * A second, isolated stack: its own state dir under the temp dir and every port +23000, so
 * whatever a test starts never touches the shared stack on the default ports.
 */
export interface ShiftedStack {
  stateDir: string;
  env: NodeJS.ProcessEnv;
  /** Stops whatever this stack started and deletes its dir. */
  cleanup(): Promise<void>;
}

/**
 * +23000 keeps every shifted port (the highest, 9300, becomes 32300) below Linux's ephemeral
 * range (32768+): a port there can be taken at any moment as the local end of an outgoing
 * connection, which made a shifted Kafka or Elasticsearch port randomly "in use".
 */
const SHIFT = 23_000;

/**
 * `shift`: another offset for a stack that may run beside the +23000 ones (two helpers' test
 * stacks at once); every shifted port must stay below 32768.
 */
export function shiftedStack(label: string, overrides: Record<string, string> = {}, shift = SHIFT): ShiftedStack {
  const base = mkdtempSync(join(tmpdir(), `oms-cli-${label}-`));
  // Elasticsearch and PostgreSQL run as a system user when we are root: it must reach the dir.
  chmodSync(base, 0o755);
  const stateDir = join(base, 'state');
  const env: NodeJS.ProcessEnv = { OMS_STATE_DIR: stateDir, OMS_RUNTIME: 'local' };
  for (const [k, v] of Object.entries(DEFAULT_PORTS)) env[k] = String(v + shift);
  Object.assign(env, overrides);
  return {
    stateDir,
    env,
    async cleanup() {
      if (existsSync(join(stateDir, 'run'))) await oms(['down', '--volumes'], { env, timeoutMs: 180_000 });
      rmSync(base, { recursive: true, force: true });
    },
  };
}

/** pid files the runtime wrote under a state dir (one per component it started). */
export function pidFiles(stateDir: string): string[] {
  const run = join(stateDir, 'run');
  return existsSync(run) ? readdirSync(run).filter((f) => f.endsWith('.pid')) : [];
}

/** Replica counts and the effective min.insync.replicas of every pipeline topic, read from `brokers`. */
async function topicReplication(brokers: string[]): Promise<Array<{ topic: string; replicas: number[]; minInsync: string | undefined }>> {
  const admin = new Kafka({ clientId: 'oms-cli-brokers-test', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const names = DESIRED_TOPICS.map((t) => t.name);
    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: names.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: ['min.insync.replicas'] })) });
    return topics.map((t) => ({
      topic: t.name,
      replicas: t.partitions.map((p) => p.replicas.length),
      minInsync: configs.resources.find((r) => r.resourceName === t.name)?.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue,
    }));
  } finally {
    await admin.disconnect();
  }
}

/** The one JSON document `--json` prints on stdout. */
export function parseJson(stdout: string): unknown {
  return JSON.parse(stdout) as unknown;
}

// ---- the documented --json shapes (docs/cli.md) ----

export const errorEnvelope = z
  .object({
    ok: z.literal(false),
    command: z.string().min(1),
    error: z.object({ message: z.string().min(1), hint: z.string().nullable(), exitCode: z.number().int().min(1).max(3), details: z.array(z.string()) }),
    steps: z.array(z.unknown()).optional(),
  })
  .strict();

export function okEnvelope<T extends z.ZodType>(command: string, data: T) {
  return z.object({ ok: z.boolean(), command: z.literal(command), data }).strict();
}

export const stepResult = z.object({
  id: z.string(),
  title: z.string(),
  status: z.enum(['ok', 'failed', 'skipped']),
  ms: z.number().int().min(0),
  outcome: z.string().optional(),
  error: z.string().optional(),
});

export const connectorState = z.object({
  name: z.string(),
  state: z.string(),
  tasks: z.array(z.object({ id: z.number().int(), state: z.string(), trace: z.string().optional() })),
  trace: z.string().optional(),
  healthy: z.boolean(),
});

const decoded = z.discriminatedUnion('format', [
  z.object({ format: z.literal('json'), data: z.unknown() }),
  z.object({ format: z.literal('text'), data: z.string() }),
  z.object({ format: z.literal('binary'), data: z.string() }),
  z.object({ format: z.literal('null'), data: z.null() }),
]);

/** One line of `oms topics tail --json` (NDJSON). */
export const topicRecord = z
  .object({ topic: z.string(), partition: z.number().int().min(0), offset: z.string().regex(/^\d+$/), timestamp: z.iso.datetime(), key: decoded, headers: z.record(z.string(), z.string()), value: decoded })
  .strict();

export const traceHop = z
  .object({
    id: z.enum(['mariadb', 'order', 'order_detail', 'orders-graph', 'postgres', 'graphql']),
    title: z.string(),
    found: z.boolean(),
    at: z.iso.datetime().nullable(),
    timeSource: z.enum(['created_at', 'record timestamp', 'first seen']).nullable(),
    deltaMs: z.number().int().nullable(),
    records: z.array(z.object({ partition: z.number().int(), offset: z.string(), timestamp: z.iso.datetime() })),
    detail: z.string(),
    data: z.unknown(),
  })
  .strict();

export const schemas = {
  config: z.object({
    file: z.string().nullable(),
    settings: z.array(z.object({ key: z.string(), value: z.union([z.string(), z.number(), z.boolean()]), source: z.enum(['flag', 'env', 'file', 'default']), env: z.string().startsWith('OMS_'), doc: z.string() })).min(1),
  }),
  topicsList: z.object({
    topics: z.array(
      z.object({
        topic: z.string(),
        exists: z.boolean(),
        partitions: z.number().int().nullable(),
        cleanupPolicy: z.string().nullable(),
        config: z.record(z.string(), z.string()),
        offsets: z.array(z.object({ partition: z.number().int(), low: z.string(), high: z.string() })),
        records: z.number().int().min(0),
      }),
    ),
  }),
  connectorsStatus: z.object({ connectors: z.array(connectorState) }),
  connectorsSubmit: z.object({
    dryRun: z.boolean(),
    connectors: z.array(z.object({ name: z.string(), action: z.enum(['created', 'updated', 'unchanged', 'would-create', 'would-update']), changes: z.array(z.object({ key: z.string(), from: z.string().optional(), to: z.string().optional() })) })),
  }),
  status: z.object({
    runtime: z.enum(['local', 'docker']),
    runtimeReason: z.string().min(1),
    components: z.array(
      z.object({
        id: z.string(),
        kind: z.string(),
        state: z.enum(['ready', 'running', 'stopped', 'external', 'crashloop']),
        pid: z.number().int().nullable(),
        url: z.string(),
        detail: z.string().nullable(),
        restarts: z.number().int().min(0).nullable().optional(),
        lastExit: z.string().nullable().optional(),
      }),
    ),
    keeper: z.object({ running: z.boolean(), pid: z.number().int().nullable(), logFile: z.string() }).nullable().optional(),
    connectors: z.array(connectorState).nullable(),
    lag: z
      .object({
        group: z.string(),
        members: z.number().int().min(0),
        state: z.string(),
        processorRunning: z.boolean(),
        // null: unknown, no member in the group (or the processor is stopped)
        total: z.number().int().nullable(),
        partitions: z.array(z.object({ topic: z.string(), partition: z.number().int(), committed: z.string().nullable(), end: z.string(), lag: z.number().int() })),
      })
      .nullable(),
    healthy: z.boolean(),
  }),
  doctor: z.object({
    checks: z
      .array(z.object({ id: z.string(), title: z.string(), status: z.enum(['ok', 'warn', 'fail']), detail: z.string(), fix: z.string().nullable() }).strict())
      .min(1)
      .refine((checks) => checks.every((c) => c.status === 'ok' || c.fix), { error: 'every warn/fail check carries a fix' }),
  }),
  report: z.object({ path: z.string(), bytes: z.number().int().positive(), files: z.array(z.object({ name: z.string(), bytes: z.number().int().min(0), error: z.string().nullable() })) }),
  trace: z.object({ orderId: z.uuid(), complete: z.boolean(), hops: z.array(traceHop).length(6), totalMs: z.number().int().nullable(), checkedAt: z.iso.datetime() }).strict(),
  open: z.object({ target: z.string(), url: z.url(), opened: z.boolean(), answering: z.boolean() }).strict(),
  up: z.object({
    runtime: z.enum(['local', 'docker']),
    runtimeReason: z.string().min(1),
    runtimeSwitch: z.string().nullable(),
    connectorsRestarted: z.array(z.object({ name: z.string(), parts: z.array(z.string()).min(1), why: z.string().min(1) })),
    totalMs: z.number().int(),
    steps: z.array(stepResult),
    endpoints: z.record(z.string(), z.unknown()),
  }),
};

// ---- three brokers, two processors (either runtime) ----

const statusData = okEnvelope('status', schemas.status).shape.data;

/** `oms status --json`'s data for the stack of `env`. */
export async function statusOf(env: NodeJS.ProcessEnv): Promise<z.infer<typeof statusData>> {
  const res = await oms(['status', '--json'], { env });
  return statusData.parse((parseJson(res.stdout) as { data: unknown }).data);
}

/**
 * The checks of a stack just brought up with `--brokers 3 --scale orders-stream=2`: a smoke
 * order goes end to end, status lists the three brokers (at `brokers`) and both instances
 * ready in one group and the stack healthy, and every pipeline topic has RF 3 and
 * min.insync.replicas 2. Returns the status.
 */
export async function expectThreeBrokersTwoProcessors(env: NodeJS.ProcessEnv, brokers: string[]): Promise<z.infer<typeof statusData>> {
  const smoke = await oms(['smoke'], { env, timeoutMs: 300_000 });
  expect(smoke.exitCode, `${smoke.stdout}\n${smoke.stderr}`).toBe(0);

  // The group settles to both members once both instances have joined (a rebalance may still run after smoke).
  const s = await pollUntil(async () => {
    const r = await statusOf(env);
    return r.lag?.members === 2 ? r : undefined;
  }, { timeoutMs: 60_000, minDelayMs: 1000, onTimeout: () => new Error('the orders-stream group never had 2 members') });
  const ready = s.components.filter((c) => c.state === 'ready').map((c) => c.id);
  expect(ready).toEqual(expect.arrayContaining(['kafka', 'kafka-2', 'kafka-3', 'orders-stream', 'orders-stream-2']));
  expect(s.components.filter((c) => /^kafka(-\d)?$/.test(c.id)).map((c) => c.url)).toEqual(brokers);
  expect(s.healthy).toBe(true);

  const topics = await topicReplication(brokers);
  expect(topics.map((t) => t.topic).sort()).toEqual(DESIRED_TOPICS.map((t) => t.name).sort());
  for (const t of topics) {
    expect(t.replicas, t.topic).toEqual([3, 3, 3]);
    expect(t.minInsync, t.topic).toBe('2');
  }
  return s;
}

/** `up --brokers 1` over three-broker data (`res`) was refused naming `oms down --volumes`, and kafka-3 still runs. */
export async function expectOneBrokerRefused(res: RunResult, env: NodeJS.ProcessEnv): Promise<void> {
  expect(res.exitCode).toBe(2);
  const { error } = errorEnvelope.parse(parseJson(res.stdout));
  expect(error.message).toBe("--brokers 1: this stack's Kafka data was made by 3 broker(s)");
  expect(error.hint).toContain('oms down --volumes');
  expect((await statusOf(env)).components.find((c) => c.id === 'kafka-3')?.state).toBe('ready');
}
