import type { Context } from '../context.js';
import { PrereqError } from '../errors.js';
import { commonServiceEnv, createLocalRuntime, defaultLocalSettings, ordersStreamService, type LocalRuntime, type LocalSettings, type ServiceDefinition } from './runtime/index.js';

export const SERVICE_NAMES = ['customers', 'products', 'orders', 'orders-stream', 'orders-graph'] as const;

/** The runtime a command drives. `auto` is the local runtime until the Docker runtime exists. */
export function resolveRuntime(ctx: Context): 'local' {
  const wanted = ctx.loaded.config.runtime;
  if (wanted === 'docker') {
    throw new PrereqError('the docker runtime is not available in this version of oms', {
      hint: 'use the local runtime: `oms up --runtime local` (the default); it runs the same programs as local processes',
    });
  }
  return 'local';
}

/** Local runtime settings from the CLI config (ports, dirs, timeouts, log level). */
export function localSettingsFor(ctx: Context): LocalSettings {
  const { config } = ctx.loaded;
  const base = defaultLocalSettings(ctx.repoRoot);
  const servicePorts: Record<string, number> = {
    customers: config.ports.customers,
    products: config.ports.products,
    orders: config.ports.orders,
    'orders-stream': config.ports.ordersStream,
    'orders-graph': config.ports.ordersGraph,
  };
  const timeoutMs = config.timeouts.startSeconds * 1000;
  const ordersStream: ServiceDefinition = {
    ...ordersStreamService,
    // A stable instance id lets a restarted processor fence its killed predecessor's open transaction at once.
    // A shorter session lets a restarted processor take over a killed one's partitions in ~10 s, not 30.
    env: (c) => ({ ...commonServiceEnv(c), INSTANCE_ID: 'local-1', KAFKA_SESSION_TIMEOUT_MS: '10000' }),
  };
  return {
    ...base,
    stateDir: config.stateDir,
    cacheDir: config.cacheDir,
    ports: {
      ...base.ports,
      mariadb: config.ports.mysql,
      postgres: config.ports.postgres,
      elasticsearch: config.ports.elasticsearch,
      elasticsearchTransport: config.ports.elasticsearchTransport,
      kafka: config.ports.kafka,
      kafkaController: config.ports.kafkaController,
      connect: config.ports.connect,
    },
    readyTimeoutMs: Object.fromEntries(Object.keys(base.readyTimeoutMs).map((k) => [k, Math.max(timeoutMs, 10_000)])) as LocalSettings['readyTimeoutMs'],
    services: [...base.services, ordersStream].map((s) => ({ ...s, port: servicePorts[s.name] ?? s.port })),
    logLevel: config.logLevel,
  };
}

/** The runtime for this invocation; progress lines go to the output's debug channel. */
export function runtimeFor(ctx: Context): LocalRuntime {
  resolveRuntime(ctx);
  return createLocalRuntime(localSettingsFor(ctx), { onProgress: ({ component, message }) => ctx.out.debug(`${component}: ${message}`) });
}
