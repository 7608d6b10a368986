import { setTimeout as sleep } from 'node:timers/promises';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { z } from 'zod';
import { defineCommand } from '../command.js';
import type { Context } from '../context.js';
import { ExternalError, PrereqError } from '../errors.js';
import { StepFailure, type Step, type StepResult } from '../output.js';
import { endpointsFor, type Endpoints } from '../lib/endpoints.js';
import { runtimeFor, localSettingsFor, SERVICE_NAMES, stackFor, type Stack } from '../lib/stack.js';
import { runPreflight } from '../lib/doctor/index.js';
import { assertNoRefusals, ensureTopics } from './topics/create.js';
import { connectClient, desiredConnectors } from './connectors/shared.js';
import { submitConnectors } from './connectors/submit.js';
import { connectorStates, renderStates } from './connectors/status.js';
import { describeSeed, runSeed } from './seed.js';
import { CheckFailedError } from '../errors.js';

/** Waits until every connector and task is RUNNING (a fresh connector takes a few seconds to start its task). */
async function waitConnectorsRunning(ctx: Context, names: string[], timeoutMs: number): Promise<void> {
  const client = connectClient(ctx);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await connectorStates(client, names);
    if (states.every((s) => s.healthy)) return;
    const failed = states.filter((s) => s.state === 'FAILED' || s.tasks.some((t) => t.state === 'FAILED'));
    if (failed.length > 0 || Date.now() > deadline) {
      throw new CheckFailedError(failed.length > 0 ? `connector(s) failed: ${failed.map((s) => s.name).join(', ')}` : `connectors not RUNNING within ${timeoutMs / 1000} s`, {
        details: renderStates(states).split('\n'),
        hint: 'see `oms logs connect`; after fixing, `oms connectors restart`',
      });
    }
    await sleep(500);
  }
}

export function renderEndpoints(e: Endpoints): string {
  return [
    'Endpoints:',
    `  customers REST      ${e.services.customers}/customers`,
    `  products REST       ${e.services.products}/products?text=kettle`,
    `  orders REST         ${e.services.orders}/orders`,
    `  orders GraphQL      ${e.services.ordersGraph}/graphql`,
    `  orders-stream       ${e.services.ordersStream}/metrics`,
    `  Kafka               ${e.kafkaBrokers.join(',')}`,
    `  Kafka Connect       ${e.connectUrl}/connectors`,
    `  Elasticsearch       ${e.elasticsearchUrl}`,
    `  MariaDB             mysql://${e.mysql.user}:${e.mysql.password}@${e.mysql.host}:${e.mysql.port}`,
    `  PostgreSQL          postgres://${e.postgres.user}:${e.postgres.password}@${e.postgres.host}:${e.postgres.port}/${e.postgres.database}`,
    '',
    'Next: `oms smoke` follows an order end to end; `oms status` shows everything.',
  ].join('\n');
}

export interface UpPlan {
  only?: string[];
  seed: boolean;
}

/**
 * Every step of `oms up`: build, the runtime's components, topics, connectors, seed. The
 * docker runtime builds its images in its own first step, so the TypeScript build is the
 * local runtime's only.
 */
export function upSteps(ctx: Context, plan: UpPlan, stack?: Stack): Step[] {
  const runtime = stack ?? Object.assign(runtimeFor(ctx), { kind: 'local' as const });
  const services = localSettingsFor(ctx).services;
  const runtimeSteps = runtime.steps(plan.only ? { only: plan.only } : {});
  const ids = new Set(runtimeSteps.map((s) => s.id));
  const started = (name: string) => ids.has(name);
  const pipeline = SERVICE_NAMES.every(started) && ids.has('connect');
  const steps: Step[] = [];
  if (runtime.kind === 'local') steps.push({
    id: 'build',
    title: 'Build services',
    run: async () => {
      const missing = services.filter((s) => !existsSync(join(ctx.repoRoot, s.entry)));
      if (missing.length === 0) return 'up to date';
      const res = await execa(join(ctx.repoRoot, 'node_modules', '.bin', 'tsc'), ['-b'], { cwd: ctx.repoRoot, reject: false, all: true });
      if (res.exitCode !== 0) throw new ExternalError('the TypeScript build failed', { details: (res.all ?? '').split('\n').slice(-30), hint: 'fix the errors, then rerun `oms up`' });
      return `built (${missing.map((s) => s.name).join(', ')} were missing)`;
    },
  });
  const isService = (id: string) => services.some((s) => s.name === id);
  for (const s of runtimeSteps) {
    // Services consume and produce the pipeline topics, so they start after `topics`.
    const extra = isService(s.id) && ids.has('kafka') ? ['topics'] : [];
    steps.push({ id: s.id, title: s.title, needs: [...s.needs, ...extra, ...(isService(s.id) ? ['build'] : [])], run: async (progress) => (await s.run(progress)) ?? undefined });
  }
  if (ids.has('kafka')) {
    steps.push({
      id: 'topics',
      title: 'Create topics',
      needs: ['kafka'],
      run: async () => {
        const plan = await ensureTopics(endpointsFor(ctx.loaded.config).kafkaBrokers, false);
        assertNoRefusals(plan);
        const created = plan.filter((a) => a.action === 'create').length;
        return created > 0 ? `created ${created}` : 'all present';
      },
    });
  }
  if (pipeline) {
    steps.push({
      id: 'connectors',
      title: 'Submit Debezium connectors',
      // The source connectors read tables the services create, and the sink writes the read model's table.
      needs: ['connect', 'topics', 'customers', 'orders', 'orders-graph'],
      run: async () => {
        const desired = desiredConnectors(ctx, [], runtime.kind);
        const outcomes = await submitConnectors(connectClient(ctx), desired, false);
        await waitConnectorsRunning(ctx, desired.map((c) => c.name), 60_000);
        const changed = outcomes.filter((o) => o.action !== 'unchanged').map((o) => `${o.name} ${o.action}`);
        return changed.length > 0 ? changed.join(', ') : 'unchanged, all RUNNING';
      },
    });
    if (plan.seed) {
      steps.push({
        id: 'seed',
        title: 'Seed demo data',
        needs: ['connectors', ...SERVICE_NAMES],
        run: async (progress) => {
          const { seed } = ctx.loaded.config;
          const r = await runSeed(ctx, seed, progress);
          const added = r.products.published + r.customers.created + r.orders.placed;
          return added > 0 ? describeSeed(r).split('\n').map((l) => l.trim()).join('; ') : 'already seeded';
        },
      });
    }
  }
  return steps;
}

/** Keeps the last `up`'s step timings in the state dir, for `oms report` (CI artifacts). */
async function recordSteps(ctx: Context, runtime: string, started: number, steps: StepResult[], error?: string): Promise<void> {
  const file = join(ctx.loaded.config.stateDir, 'last-up.json');
  const doc = { at: new Date(started).toISOString(), runtime, totalMs: Date.now() - started, ok: error === undefined, ...(error ? { error } : {}), steps };
  await mkdir(dirname(file), { recursive: true }).then(() => writeFile(file, `${JSON.stringify(doc, null, 2)}\n`)).catch(() => undefined);
}

/** `oms up`: everything, idempotently; a second run on a running stack changes nothing. */
export const upCommand = defineCommand({
  path: 'up',
  summary: 'start the whole stack (infra, services, topics, connectors, seed) — idempotent',
  examples: [
    'oms up                              # everything, local processes (first run downloads Kafka, Debezium, Elasticsearch)',
    'oms up --only orders,orders-graph   # those and what they depend on',
    'oms up --no-seed                    # skip demo data',
    'OMS_PORT_KAFKA=19092 oms up         # move a port that is taken',
    'oms up --runtime docker             # compose: builds the images, then the same wiring',
    'oms up --runtime docker --offline   # no registry: every image from a local Debian base',
  ],
  configure: (cmd) =>
    cmd
      .option('--only <components>', 'comma-separated components (e.g. kafka,connect or orders,orders-graph) plus what they need')
      .option('--no-seed', 'do not load demo data')
      .option('--offline', 'docker runtime: build every image from a local Debian base instead of pulling (see `oms build --offline`)'),
  input: (_args, opts) => ({ only: typeof opts.only === 'string' ? opts.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined, seed: opts.seed !== false, offline: opts.offline === true }),
  schema: z.object({ only: z.array(z.string().min(1)).min(1).optional(), seed: z.boolean(), offline: z.boolean() }),
  run: async (opts, ctx) => {
    const started = Date.now();
    const stack = await stackFor(ctx, { offline: opts.offline });
    if (stack.kind === 'local' && ctx.loaded.config.mysqlFlavor !== 'mariadb') {
      // The connector templates know the MySQL connector, but Debian ships no MySQL server to run.
      throw new PrereqError('the local runtime runs MariaDB (Debian packages no MySQL server)', { hint: 'unset OMS_MYSQL_FLAVOR (or set it to mariadb)' });
    }
    // Doctor's checks first: a taken port, a missing Java or binary stops `up` before anything starts.
    if (stack.kind === 'local') await runPreflight(ctx, opts.only ? { only: opts.only } : {});
    const steps = upSteps(ctx, { ...(opts.only ? { only: opts.only } : {}), seed: opts.seed }, stack);
    let results: StepResult[];
    try {
      results = await ctx.out.runSteps(steps, ctx.signal);
    } catch (err) {
      if (err instanceof StepFailure) await recordSteps(ctx, stack.kind, started, err.results, err.step.error);
      throw err;
    }
    await recordSteps(ctx, stack.kind, started, results);
    const endpoints = endpointsFor(ctx.loaded.config);
    const totalMs = Date.now() - started;
    return {
      data: { runtime: stack.kind, totalMs, steps: results, endpoints },
      text: `\nUp in ${(totalMs / 1000).toFixed(1)}s.\n${renderEndpoints(endpoints)}`,
    };
  },
});
