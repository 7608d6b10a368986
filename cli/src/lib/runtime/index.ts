/**
 * The local runtime (no Docker): `createLocalRuntime(settings).up()` brings MariaDB,
 * PostgreSQL, Elasticsearch, Kafka, Kafka Connect and the services up as supervised local
 * processes; see runtime.ts for the API and docs/architecture.md for how it fits the CLI.
 */
export {
  buildComponents,
  createLocalRuntime,
  type DownOptions,
  type DownResult,
  type LocalRuntime,
  type ProgressEvent,
  type RuntimeDeps,
  type UpOptions,
} from './runtime.js';
export {
  STACK_CREDENTIALS,
  commonServiceEnv,
  defaultCacheDir,
  defaultLocalSettings,
  defaultServices,
  findRepoRoot,
  localEndpoints,
  withOrdersStreamInstances,
  withPortOffset,
  type LocalEndpoints,
  type LocalPorts,
  type LocalSettings,
  type ServiceDefinition,
  type ServiceEnvContext,
} from './settings.js';
export { ARTIFACT_VERSIONS } from './artifacts.js';
export { REQUIRED_CONNECT_PLUGINS } from '../stack/probes.js';
export type { ComponentStatus, LogsOptions } from '../stack/types.js';
