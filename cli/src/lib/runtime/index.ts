/**
 * The local runtime (no Docker): `createLocalRuntime(settings).up()` brings MariaDB,
 * PostgreSQL, Elasticsearch, Kafka, Kafka Connect and the services up as supervised local
 * processes; see runtime.ts for the API and DESIGN.md "Runtimes" for the contract.
 */
export {
  createLocalRuntime,
  type ComponentStatus,
  type DownOptions,
  type DownResult,
  type LocalRuntime,
  type LogsOptions,
  type ProgressEvent,
  type RuntimeDeps,
  type StepResult,
  type UpOptions,
} from './runtime.js';
export { runSteps, type RuntimeStep, type RunStepsOptions } from './steps.js';
export {
  INFRA_COMPONENTS,
  STACK_CREDENTIALS,
  SERVICE_INFRA_NEEDS,
  commonServiceEnv,
  defaultCacheDir,
  defaultLocalSettings,
  defaultServices,
  findRepoRoot,
  localEndpoints,
  ordersStreamService,
  withPortOffset,
  type InfraComponent,
  type LocalEndpoints,
  type LocalPorts,
  type LocalSettings,
  type ServiceDefinition,
  type ServiceEnvContext,
} from './settings.js';
export { ARTIFACT_VERSIONS } from './artifacts.js';
export { REQUIRED_CONNECT_PLUGINS } from './probes.js';
