/**
 * An OpsContext for integration tests of the CLI's operations: the CLI's own configuration
 * pointed at the test infrastructure (test/infra.ts), with a state dir of the test's own.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../cli/src/config.js';
import type { OpsContext } from '../cli/src/context.js';
import { testInfra } from './infra.js';

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../..');

const portOf = (hostPort: string) => hostPort.split(':').at(-1)!;

export function testOpsContext(opts: { stateDir: string; env?: NodeJS.ProcessEnv; signal?: AbortSignal }): OpsContext {
  const infra = testInfra();
  const env: NodeJS.ProcessEnv = {
    OMS_STATE_DIR: opts.stateDir,
    OMS_PORT_KAFKA: portOf(infra.kafkaBrokers[0]!),
    OMS_PORT_CONNECT: portOf(new URL(infra.connectUrl).host),
    OMS_PORT_MYSQL: String(infra.mysql.port),
    OMS_PORT_POSTGRES: String(infra.postgres.port),
    OMS_PORT_ELASTICSEARCH: portOf(new URL(infra.elasticsearchUrl).host),
    ...opts.env,
  };
  const loaded = loadConfig({ repoRoot: REPO_ROOT, cwd: REPO_ROOT, env, flags: { runtime: 'local' } });
  return { loaded, cwd: REPO_ROOT, repoRoot: REPO_ROOT, env, signal: opts.signal ?? new AbortController().signal, debug: () => undefined };
}
