import { z } from 'zod';
import { defineCommand } from '../command.js';
import { plansConsole, up } from '../ops/up.js';
import { MAX_ORDERS_STREAM, parseBrokers, parseScale } from '../lib/stack/topology.js';
import { renderEndpoints } from '../render.js';

/** `oms up`: everything, idempotently; a second run on a running stack changes nothing. */
export const upCommand = defineCommand({
  path: 'up',
  summary: 'bring the stack to its desired state from any state (infra, services, topics, connectors with failed ones restarted, seed) — idempotent',
  examples: [
    'oms up                              # everything, local processes (first run downloads Kafka, Debezium, Elasticsearch)',
    'oms up --only orders,orders-graph   # those and what they depend on',
    'oms up --no-seed                    # skip demo data',
    'oms up --no-console                 # without the console web app (127.0.0.1:3080)',
    'oms up --only console               # just the console, for a stack that is already up',
    'oms up --only keeper                # just the keeper (restarts what exits), after `oms down --only keeper`',
    'OMS_PORT_KAFKA=19092 oms up         # move a port that is taken',
    'oms up --runtime docker             # compose: builds the images, then the same wiring',
    'oms up --runtime docker --offline   # no registry: every image from a local Debian base',
    'oms up --runtime local              # switch back (says what changes); the state dir remembers the runtime',
    'oms up --brokers 3                  # three KRaft brokers (RF 3, min.insync.replicas 2); a plain `oms up` keeps 3',
    'oms up --scale orders-stream=2      # two orders-stream processors in one consumer group',
  ],
  configure: (cmd) =>
    cmd
      .option('--only <components>', 'comma-separated components (e.g. kafka,connect, orders,orders-graph, console or keeper) plus what they need; the keeper comes with a whole `up` only')
      .option('--no-seed', 'do not load demo data')
      .option('--no-console', 'do not start the console web app')
      .option('--offline', 'docker runtime: build every image from a local Debian base instead of pulling (see `oms build --offline`)')
      .option('--brokers <n>', 'Kafka brokers: 1, or 3 (a KRaft quorum: topics RF 3, min.insync.replicas 2); remembered by the state dir')
      .option('--scale <component=n...>', `run n instances (1-${MAX_ORDERS_STREAM}) of orders-stream in one consumer group, e.g. orders-stream=2; remembered by the state dir`),
  input: (_args, opts) => ({
    only: typeof opts.only === 'string' ? opts.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    seed: opts.seed !== false,
    console: opts.console !== false,
    offline: opts.offline === true,
    brokers: typeof opts.brokers === 'string' ? parseBrokers(opts.brokers) : undefined,
    ordersStream: Array.isArray(opts.scale) ? parseScale(opts.scale.map(String)).ordersStream : undefined,
  }),
  schema: z.object({
    only: z.array(z.string().min(1)).min(1).optional(),
    seed: z.boolean(),
    console: z.boolean(),
    offline: z.boolean(),
    brokers: z.union([z.literal(1), z.literal(3)]).optional(),
    ordersStream: z.number().int().min(1).max(MAX_ORDERS_STREAM).optional(),
  }),
  run: async (opts, ctx) => {
    const result = await ctx.out.withSteps((onEvent) => up(ctx, opts, { onEvent, onNotice: (m) => ctx.out.info(m) }));
    return { data: result, text: `\nUp in ${(result.totalMs / 1000).toFixed(1)}s, ${result.runtime} runtime (${result.runtimeReason}).\n${renderEndpoints(result.endpoints, { console: plansConsole(opts) })}` };
  },
});
