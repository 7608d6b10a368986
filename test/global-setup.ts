/**
 * vitest globalSetup: makes sure the real infrastructure the integration tests talk to
 * (MariaDB, PostgreSQL, Redis, Elasticsearch, Kafka, Kafka Connect; not the services) is up, using
 * the same local runtime and the same step runner as `oms up`, with its defaults (the CLI's
 * default ports, state dir <repo>/.oms/local). What already runs is reused, so a second `npm test` restarts nothing;
 * a server on a default port that oms did not start is reused when it answers like the real
 * component (e.g. a stack from `oms up --runtime docker`).
 *
 * Then it exports the endpoints as OMS_TEST_* (read by test/infra.ts), unless they are set
 * already. A component whose variable the caller set (OMS_TEST_REDIS_URL=redis://…:16379) is
 * not started: the tests use that one. With OMS_TEST_INFRA=external nothing is started: the
 * OMS_TEST_* variables (or the defaults of test/infra.ts) are used as they are.
 *
 * OMS_TEST_PORT_OFFSET and OMS_TEST_STATE_DIR move this test stack beside another one (all
 * ports shifted, its own state dir).
 *
 * It never stops anything at teardown: the stack is the user's demo as well.
 */
import { type LocalSettings, createLocalRuntime, defaultLocalSettings, findRepoRoot, withPortOffset } from '../cli/src/lib/runtime/index.js';
import { runSteps, StepFailure } from '../cli/src/lib/steps.js';
import { Output } from '../cli/src/output.js';

const say = (line: string) => process.stderr.write(`[test infra] ${line}\n`);

function testSettings(env: NodeJS.ProcessEnv): LocalSettings {
  const defaults = defaultLocalSettings(findRepoRoot());
  const offset = Number(env.OMS_TEST_PORT_OFFSET ?? 0);
  if (!Number.isInteger(offset)) throw new Error(`OMS_TEST_PORT_OFFSET must be an integer, got ${String(env.OMS_TEST_PORT_OFFSET)}`);
  const shifted = offset === 0 ? defaults : withPortOffset(defaults, offset);
  return env.OMS_TEST_STATE_DIR ? { ...shifted, stateDir: env.OMS_TEST_STATE_DIR } : shifted;
}

/** The variable that says where each infra component answers (its address, not its credentials). */
const LOCATION_VARIABLE: Record<string, string> = {
  mariadb: 'OMS_TEST_MYSQL_PORT',
  postgres: 'OMS_TEST_PG_PORT',
  redis: 'OMS_TEST_REDIS_URL',
  elasticsearch: 'OMS_TEST_ES_URL',
  kafka: 'OMS_TEST_KAFKA_BROKERS',
  connect: 'OMS_TEST_CONNECT_URL',
};

/** The infra components to bring up: those whose location the caller did not give. */
function componentsToStart(infra: readonly string[], env: NodeJS.ProcessEnv): string[] {
  return infra.filter((id) => {
    const variable = LOCATION_VARIABLE[id];
    return !variable || !env[variable];
  });
}

export async function setup(): Promise<void> {
  if (process.env.OMS_TEST_INFRA === 'external') return;
  const settings = testSettings(process.env);
  const runtime = createLocalRuntime(settings, { onProgress: ({ component, message }) => say(`${component}: ${message}`) });
  // The CLI's plain-line renderer of the step runner's events, on stderr.
  const out = new Output('plain', process.stderr, process.stderr);
  const t0 = Date.now();
  const infra = runtime.componentIds().filter((id) => !settings.services.some((s) => s.name === id));
  const only = componentsToStart(infra, process.env);
  if (only.length < infra.length) say(`given by OMS_TEST_* variables, not started: ${infra.filter((id) => !only.includes(id)).join(', ')}`);
  say(`bringing up (or reusing) ${only.join(', ')}, state dir ${settings.stateDir}`);
  try {
    // `only` pulls in what they need (Connect brings Kafka): a given Kafka with a started Connect is not supported.
    if (only.length > 0) await out.withSteps((onEvent) => runSteps(runtime.steps({ only, skipServices: true, adoptExternal: true }), { onEvent }));
  } catch (failure) {
    const err = failure instanceof StepFailure ? failure.cause : failure;
    const e = err as Error & { hint?: string; details?: string[] };
    // vitest prints only the message: put the hint and the log tail in it
    // eslint-disable-next-line preserve-caught-error -- the cause is the step's own error, not the StepFailure around it
    throw new Error([e.message, e.hint ? `hint: ${e.hint}` : '', ...(e.details ?? [])].filter(Boolean).join('\n'), { cause: err });
  }
  say(`ready in ${((Date.now() - t0) / 1000).toFixed(1)}s`);

  const ep = runtime.endpoints();
  const vars: Record<string, string> = {
    OMS_TEST_MYSQL_HOST: ep.mysql.host,
    OMS_TEST_MYSQL_PORT: String(ep.mysql.port),
    OMS_TEST_MYSQL_USER: ep.mysql.user,
    OMS_TEST_MYSQL_PASSWORD: ep.mysql.password,
    OMS_TEST_PG_HOST: ep.postgres.host,
    OMS_TEST_PG_PORT: String(ep.postgres.port),
    OMS_TEST_PG_USER: ep.postgres.user,
    OMS_TEST_PG_PASSWORD: ep.postgres.password,
    OMS_TEST_REDIS_URL: ep.redisUrl,
    OMS_TEST_ES_URL: ep.elasticsearchUrl,
    OMS_TEST_KAFKA_BROKERS: ep.kafkaBrokers.join(','),
    OMS_TEST_CONNECT_URL: ep.connectUrl,
  };
  for (const [key, value] of Object.entries(vars)) process.env[key] ??= value;
}

export async function teardown(): Promise<void> {
  // Deliberately empty: the stack stays up for the next run and for the user's demo.
}
