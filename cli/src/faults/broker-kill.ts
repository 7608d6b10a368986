/**
 * The fault battery's three-broker row (a stack brought up with `oms up --brokers 3` first):
 * orders at a steady rate while one broker of three is killed with SIGKILL, nobody running
 * `oms up`. By default the broker killed is the one leading the most pipeline partitions, so
 * the kill moves leaders under load. Besides the battery's checks (every order answered 201
 * in GraphQL exactly once with the right total, the stack healthy again by itself) it
 * measures the longest pause in accepted orders and in GraphQL visibility, which must not
 * exceed `--max-pause` seconds (the failover: the controller fences the dead broker after
 * `broker.session.timeout.ms`, leaders move to the in-sync replicas, clients refresh metadata).
 *
 *   npm run test:faults:brokers [-- --broker kafka-2 --rate 20 --seconds 40 --kill-at 12 --max-pause 30 --runtime docker]
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { withAdmin } from '../lib/kafka.js';
import { scriptArgs } from '../lib/script-args.js';
import { brokerId, brokerIds, topologyOf } from '../lib/stack/topology.js';
import { DESIRED_TOPICS } from '../lib/topics.js';
import { renderTrace, traceOrder } from '../ops/trace.js';
import { faultScript, healthyWithin, makeFixture, renderTable, resolveRowTarget, restock, rowFlags, runRow } from './fault-run.js';
import { describeGap, longestGap } from './gaps.js';

const USAGE = `usage: npm run test:faults:brokers [-- --broker kafka|kafka-2|kafka-3 --rate 20 --seconds 40 --kill-at 12
                                         --recover-within 150 --visible-within 120 --max-pause 30 --runtime local|docker]
  Against a three-broker stack (oms up --brokers 3): kills one broker (default: the one leading the
  most pipeline partitions) at --kill-at s into a run of --rate orders/s, then checks no accepted
  order is lost or doubled, the stack heals, and no pause in accepted orders or in GraphQL
  visibility is longer than --max-pause s. Exit 1 when the row fails.`;
const args = scriptArgs(
  'test:faults:brokers',
  {
    options: {
      broker: { type: 'string' },
      ...rowFlags({ seconds: '40', killAt: '12' }),
      'max-pause': { type: 'string', default: '30' },
    },
  },
  USAGE,
);
if (!args.ok) {
  (args.exitCode === 0 ? console.log : console.error)(args.text);
  process.exit(args.exitCode);
}
const { values } = args;
const parsed = z
  .object({
    broker: z.enum(['kafka', 'kafka-2', 'kafka-3']).optional(),
    rate: z.coerce.number().min(1).max(500),
    seconds: z.coerce.number().min(5).max(600),
    killAt: z.coerce.number().min(1),
    recoverWithin: z.coerce.number().min(5),
    visibleWithin: z.coerce.number().min(5),
    maxPause: z.coerce.number().min(1),
    runtime: z.enum(['local', 'docker']).optional(),
  })
  .safeParse({ broker: values.broker, rate: values.rate, seconds: values.seconds, killAt: values['kill-at'], recoverWithin: values['recover-within'], visibleWithin: values['visible-within'], maxPause: values['max-pause'], runtime: values.runtime });
if (!parsed.success) {
  console.error(`test:faults:brokers: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  process.exit(2);
}
const opts = parsed.data;
if (opts.killAt >= opts.seconds) {
  console.error('test:faults:brokers: --kill-at must fall within --seconds');
  process.exit(2);
}

const { loaded, ctx, endpoints, clients } = faultScript();
const topology = topologyOf(loaded.config.stateDir);
if (topology.brokers !== 3) {
  console.error(`test:faults:brokers: the stack of ${loaded.config.stateDir} runs ${topology.brokers} broker(s); bring it up with \`oms up --brokers 3\` first`);
  process.exit(2);
}
const log = (line: string) => console.log(line);

const countAnswer = z.object({ data: z.object({ orders: z.object({ total: z.number().int() }) }) });

/** How many of the customer's orders GraphQL lists now. */
async function visibleCount(email: string): Promise<number> {
  const res = await clients.ordersGraph.send('POST', '/graphql', { body: { query: 'query($e: String) { orders(customer: {email: $e}, limit: 1) { total } }', variables: { e: email } } });
  return countAnswer.parse(res.body).data.orders.total;
}

/** The broker leading the most partitions of the pipeline topics (ties: the lowest node id). */
async function busiestBroker(): Promise<{ id: string; leads: number; of: number }> {
  const metadata = await withAdmin(endpoints.kafkaBrokers, (admin) => admin.fetchTopicMetadata({ topics: DESIRED_TOPICS.map((t) => t.name) }));
  const leads = new Map<number, number>();
  let of = 0;
  for (const t of metadata.topics) {
    for (const p of t.partitions) {
      of++;
      leads.set(p.leader, (leads.get(p.leader) ?? 0) + 1);
    }
  }
  const [node, count] = [...leads.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0] ?? [1, 0];
  return { id: brokerId(node), leads: count, of };
}

// The stack's runtime (`--runtime` must match it) and how its broker is killed.
const rowTarget = await resolveRowTarget(ctx, opts.runtime);
if ('message' in rowTarget) {
  console.error(`test:faults:brokers: ${rowTarget.message}`);
  process.exit(rowTarget.exitCode);
}

if (!(await healthyWithin(ctx, rowTarget, 60))) {
  console.error('test:faults:brokers: the stack is not healthy (see `oms status`); bring it up with `oms up --brokers 3` first');
  process.exit(1);
}
const target = opts.broker ? { id: opts.broker, leads: -1, of: -1 } : await busiestBroker();
log(`broker kill against ${loaded.config.stateDir} (${brokerIds(topology).join(', ')}, ${rowTarget.target.runtime} runtime): ${rowTarget.target.how} of ${target.id}${target.leads >= 0 ? ` (leads ${target.leads} of ${target.of} pipeline partitions)` : ''} at ${opts.killAt}s of ${opts.seconds}s, ${opts.rate} orders/s`);

const fx = await makeFixture(clients, `broker-${target.id}`);
await restock(clients, fx.products.map((p) => p.sku), Math.ceil((opts.rate * opts.seconds * 2) / fx.products.length) + 10);

// When each accepted order was answered, and when the customer's order count in GraphQL grew
// (one cheap query every 0.25 s: the count, not the listing, so a poll takes milliseconds).
const acceptedAt: number[] = [];
const grewAt: number[] = [];
const polling = { on: true };
const poller = (async () => {
  let last = 0;
  while (polling.on) {
    const total = await visibleCount(fx.email).catch(() => undefined);
    if (total !== undefined && total > last) {
      grewAt.push(Date.now());
      last = total;
    }
    await sleep(250);
  }
})();

const t0 = Date.now();
const row = await runRow(ctx, rowTarget, clients, fx, {
  component: target.id,
  ...opts,
  log,
  onAnswer: (a, at) => {
    if (a.kind === 'accepted') acceptedAt.push(at);
  },
});
polling.on = false;
await poller;

const accepted = longestGap(acceptedAt);
const visible = longestGap(grewAt);
const killAt = t0 + opts.killAt * 1000;
const pauses = [
  { what: 'accepted orders (201s)', gap: accepted },
  { what: 'GraphQL visibility (the order count growing, polled every 0.25 s)', gap: visible },
];
for (const p of pauses) {
  if (p.gap.ms > opts.maxPause * 1000) row.problems.push(`a pause of ${(p.gap.ms / 1000).toFixed(1)} s in ${p.what}, over --max-pause ${opts.maxPause} s`);
}
log('');
log(renderTable([row]));
log('');
log(`kill at t+${((killAt - t0) / 1000).toFixed(1)} s; the killed broker back and the stack healthy after ${row.recoverSeconds === null ? 'never' : `${row.recoverSeconds.toFixed(1)} s`}`);
for (const p of pauses) log(`longest pause in ${p.what}: ${describeGap(p.gap, t0)}`);
// Where each lost order stopped, hop by hop (what `oms trace <id>` prints).
for (const id of row.lostIds ?? []) {
  log('');
  log(await traceOrder(ctx, id).then(renderTrace, (err: unknown) => `trace ${id}: ${err instanceof Error ? err.message : String(err)}`));
}
log(row.problems.length === 0 ? 'broker kill: ok' : `broker kill: FAIL: ${row.problems.join('; ')}`);
process.exitCode = row.problems.length > 0 ? 1 : 0;
