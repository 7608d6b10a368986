/**
 * The fault battery (not a unit test: it needs a running stack, `oms up` first): for each
 * component in turn, orders at a steady rate while the component is killed with SIGKILL (local
 * runtime: its process group, pid from the state dir; docker runtime: `docker kill` of its
 * container), nobody running `oms up`; then the stack must be healthy again by itself and every
 * order answered 201 must be in GraphQL exactly once with the right total, every other answer a
 * 503. Prints one table row per component; exits 1 when a row fails, 2 on a usage mistake.
 * It reads the same configuration as the CLI (OMS_STATE_DIR, OMS_PORT_*, OMS_COMPOSE_PROJECT)
 * and drives the runtime the state dir's stack runs with; `--runtime` must match it.
 *
 *   npm run test:faults [-- --only kafka,orders-stream --rate 20 --seconds 30 --kill-at 10 --runtime docker]
 */
import { loadavg } from 'node:os';
import { z } from 'zod';
import { scriptArgs } from '../lib/script-args.js';
import { collectStatus } from '../ops/status.js';
import { faultScript, healthyWithin, makeFixture, renderTable, resolveRowTarget, restock, rowFlags, runRow, type RowResult } from './fault-run.js';

/** Every component the battery kills, in this order (infrastructure first, then the services). */
const COMPONENTS = ['kafka', 'connect', 'mariadb', 'postgres', 'elasticsearch', 'orders-stream', 'customers', 'products', 'orders', 'orders-graph'] as const;

const argsSchema = z.object({
  only: z.array(z.enum(COMPONENTS)).min(1),
  rate: z.coerce.number().min(1).max(500),
  seconds: z.coerce.number().min(5).max(600),
  killAt: z.coerce.number().min(1),
  recoverWithin: z.coerce.number().min(5),
  visibleWithin: z.coerce.number().min(5),
  runtime: z.enum(['local', 'docker']).optional(),
});

const USAGE = `usage: npm run test:faults [-- --only ${COMPONENTS.join(',')} --rate 20 --seconds 30 --kill-at 10
                                 --recover-within 150 --visible-within 120 --runtime local|docker]
  Kills each component in --only (in that order) with SIGKILL at --kill-at s into a run of --rate
  orders/s for --seconds s, then checks the stack heals within --recover-within s and every
  accepted order reaches GraphQL once within --visible-within s. Exit 1 when a row fails.`;
const args = scriptArgs(
  'test:faults',
  {
    options: {
      only: { type: 'string', default: COMPONENTS.join(',') },
      ...rowFlags({ seconds: '30', killAt: '10' }),
    },
  },
  USAGE,
);
if (!args.ok) {
  (args.exitCode === 0 ? console.log : console.error)(args.text);
  process.exit(args.exitCode);
}
const { values } = args;
const parsed = argsSchema.safeParse({
  only: values.only.split(',').map((s) => s.trim()).filter(Boolean),
  rate: values.rate,
  seconds: values.seconds,
  killAt: values['kill-at'],
  recoverWithin: values['recover-within'],
  visibleWithin: values['visible-within'],
  runtime: values.runtime,
});
if (!parsed.success) {
  console.error(`test:faults: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}\n  components: ${COMPONENTS.join(', ')}`);
  process.exit(2);
}
const opts = parsed.data;
if (opts.killAt >= opts.seconds) {
  console.error('test:faults: --kill-at must fall within --seconds');
  process.exit(2);
}

const { loaded, ctx, clients } = faultScript();
const log = (line: string) => console.log(line);
const t0 = Date.now();

const rowTarget = await resolveRowTarget(ctx, opts.runtime);
if ('message' in rowTarget) {
  console.error(`test:faults: ${rowTarget.message}`);
  process.exit(rowTarget.exitCode);
}

const where = rowTarget.target.runtime === 'docker' ? `compose project ${loaded.config.docker.project}` : loaded.config.stateDir;
log(`fault battery against the ${rowTarget.target.runtime} stack (${where}): ${opts.only.join(', ')}; ${opts.rate} orders/s for ${opts.seconds}s each, ${rowTarget.target.how} at ${opts.killAt}s`);
const keeper = (await collectStatus(ctx, rowTarget.status).catch(() => undefined))?.keeper;
if (keeper && !keeper.running) log('  the keeper is not running: nothing will bring a killed component back (`oms up` starts it)');
if (!(await healthyWithin(ctx, rowTarget, 60))) {
  console.error('test:faults: the stack is not healthy (see `oms status`); bring it up with `oms up` first');
  process.exit(1);
}
const fx0 = await makeFixture(clients, 'stock');
// Up to 2 units an order, spread over the catalogue, for every row; plus headroom.
await restock(clients, fx0.products.map((p) => p.sku), Math.ceil((opts.rate * opts.seconds * opts.only.length * 2) / fx0.products.length) + 10);

const rows: RowResult[] = [];
for (const component of opts.only) {
  const started = Date.now();
  // The machine's load next to each row: on a shared 2-core box a slow answer may be the neighbours'.
  log(`▶ ${component} (load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  if (rows.length > 0 && !(await healthyWithin(ctx, rowTarget, opts.recoverWithin))) log('  the stack is still not healthy after the previous row; running this row anyway');
  const fx = await makeFixture(clients, component);
  const row = await runRow(ctx, rowTarget, clients, fx, { component, ...opts, log });
  rows.push(row);
  log(`  ${row.problems.length === 0 ? 'ok' : `FAIL: ${row.problems.join('; ')}`} (${((Date.now() - started) / 1000).toFixed(0)}s)`);
}
log('');
log(renderTable(rows));
log('');
const failed = rows.filter((r) => r.problems.length > 0);
log(`${rows.length - failed.length}/${rows.length} rows passed in ${((Date.now() - t0) / 1000).toFixed(0)}s`);
process.exitCode = failed.length > 0 ? 1 : 0;
