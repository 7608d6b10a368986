/**
 * `oms doctor` and the preflight `oms up` runs: facts about the machine (lib/doctor/facts.ts) judged by
 * pure checks (lib/doctor/checks.ts). Doctor reports everything; preflight only what the selected
 * components need, so `up` can stop before it starts anything.
 */
import type { OpsContext } from '../context.js';
import { PrereqError } from '../errors.js';
import { CATALOGUE } from '../lib/stack/catalogue.js';
import { selectUp } from '../lib/stack/graph.js';
import { readRememberedRuntime } from '../lib/stack/runtime-memory.js';
import { localSettingsFor } from './stack.js';
import {
  type CheckResult,
  checkDisk,
  checkDocker,
  checkJava,
  checkMariaDb,
  checkMaven,
  checkMaxMapCount,
  checkMemory,
  checkOsPackages,
  packagePlan,
  checkPort,
  checkPostgres,
  checkRedis,
  checkRuntime,
} from '../lib/doctor/checks.js';
import { PORT_COMPONENTS, diskFacts, dockerFacts, installFacts, javaFacts, mavenFacts, maxMapCount, memoryFacts, osPackageFacts, portFacts, stackProcessGroups } from '../lib/doctor/facts.js';

export { anyFailed, renderChecks, type CheckResult, type CheckStatus } from '../lib/doctor/checks.js';

async function stackRunning(ctx: OpsContext): Promise<boolean> {
  return (await stackProcessGroups(ctx.loaded.config.stateDir, [...new Set(Object.values(PORT_COMPONENTS))])).size > 0;
}

/**
 * Every check, for `oms doctor`, for the runtime asked for or else the one the state dir
 * remembers. For the local runtime (and `auto` with nothing remembered): Docker as a warning only,
 * then Java, Maven, the database and Redis binaries, ports, memory, disk, vm.max_map_count. For
 * `--runtime docker`: Docker must answer, and the binaries the containers bring are skipped.
 */
export async function doctor(ctx: OpsContext): Promise<CheckResult[]> {
  const { config } = ctx.loaded;
  const remembered = config.runtime === 'auto' ? (await readRememberedRuntime(config.stateDir))?.runtime : undefined;
  const docker = (remembered ?? config.runtime) === 'docker';
  const javaHome = localSettingsFor(ctx).javaHome;
  const [dockerF, java, os, ports, running, stateDisk, cacheDisk, mmc] = await Promise.all([
    dockerFacts(),
    docker ? undefined : javaFacts(javaHome),
    docker ? undefined : osPackageFacts(),
    portFacts(config, undefined, docker ? 'docker' : 'local'),
    stackRunning(ctx),
    diskFacts('disk:state', 'state dir', config.stateDir, 'OMS_STATE_DIR'),
    diskFacts('disk:cache', 'cache dir', config.cacheDir, 'OMS_CACHE_DIR'),
    maxMapCount(),
  ]);
  const install = installFacts();
  const maven = docker ? undefined : mavenFacts(config.cacheDir);
  return [
    checkRuntime(config.runtime, remembered),
    ...checkDocker(dockerF, docker),
    ...(java && maven ? [checkJava(java, install), checkMaven(maven)] : []),
    ...(os ? [checkMariaDb(os), checkPostgres(os), checkRedis(os)] : []),
    ...(docker ? [] : [checkOsPackages(packagePlan({ java: true, mariadb: true, postgres: true, redis: true }, { ...(java ? { java } : {}), ...(maven ? { maven } : {}), ...(os ? { os } : {}) }), install)]),
    ...ports.map(checkPort),
    checkMemory(await memoryFacts(running)),
    checkDisk(stateDisk),
    ...(docker ? [] : [checkDisk(cacheDisk)]),
    checkMaxMapCount(mmc),
  ];
}

export interface PreflightOptions {
  /** As `oms up --only`: these components and what they need. */
  only?: string[];
}

/**
 * The checks `oms up` needs to pass before it starts anything with the local runtime, limited
 * to the components it would start (`only` plus their dependencies). Ports held by this stack's own running
 * components pass, so a rerun on a running stack is not stopped. Fast (well under a second
 * on a warm machine): no Docker, no network beyond local bind probes.
 */
export async function preflight(ctx: OpsContext, opts: PreflightOptions = {}): Promise<CheckResult[]> {
  const { config } = ctx.loaded;
  const selected = selectUp(CATALOGUE, opts.only);
  const ids = new Set(selected.map((c) => c.id));
  const jvm = selected.some((c) => c.usesArtifacts);
  const needsOs = ids.has('mariadb') || ids.has('postgres') || ids.has('redis');
  const [java, os, ports, running, stateDisk, cacheDisk, mmc] = await Promise.all([
    jvm ? javaFacts(localSettingsFor(ctx).javaHome) : undefined,
    needsOs ? osPackageFacts() : undefined,
    portFacts(config, ids),
    stackRunning(ctx),
    diskFacts('disk:state', 'state dir', config.stateDir, 'OMS_STATE_DIR'),
    jvm ? diskFacts('disk:cache', 'cache dir', config.cacheDir, 'OMS_CACHE_DIR') : undefined,
    ids.has('elasticsearch') ? maxMapCount() : undefined,
  ]);
  const results: CheckResult[] = [];
  const install = installFacts();
  const maven = jvm ? mavenFacts(config.cacheDir) : undefined;
  if (java && maven) results.push(checkJava(java, install), checkMaven(maven));
  if (os && ids.has('mariadb')) results.push(checkMariaDb(os));
  if (os && ids.has('postgres')) results.push(checkPostgres(os));
  if (os && ids.has('redis')) results.push(checkRedis(os));
  if (jvm || needsOs) {
    const plan = packagePlan({ java: jvm, mariadb: ids.has('mariadb'), postgres: ids.has('postgres'), redis: ids.has('redis') }, { ...(java ? { java } : {}), ...(maven ? { maven } : {}), ...(os ? { os } : {}) });
    results.push(checkOsPackages(plan, install));
  }
  results.push(...ports.map(checkPort), checkMemory(await memoryFacts(running)), checkDisk(stateDisk));
  if (cacheDisk) results.push(checkDisk(cacheDisk));
  if (mmc !== undefined) results.push(checkMaxMapCount(mmc));
  return results;
}

/** Checks that fail only because an OS package is missing (the `os-packages` check names them all). */
const PACKAGE_CHECKS = new Set(['java', 'maven', 'mariadb', 'postgres', 'redis']);

/** The PrereqError (exit 3) for failed preflight checks, naming each with its fix; undefined when none failed. */
export function preflightError(results: CheckResult[], command = 'oms up'): PrereqError | undefined {
  const failed = results.filter((r) => r.status === 'fail');
  if (failed.length === 0) return undefined;
  const summary = failed.length === 1 ? `${failed[0]!.title} ${failed[0]!.detail}` : `${failed.length} checks failed`;
  // Every missing OS package in one command, whichever checks it made fail.
  const packages = failed.find((r) => r.id === 'os-packages');
  const onlyPackages = failed.every((r) => r.id === 'os-packages' || PACKAGE_CHECKS.has(r.id));
  let hint = `fix the above, then rerun \`${command}\` (\`oms doctor\` lists every check)`;
  if (failed.length === 1 && failed[0]!.fix) hint = failed[0]!.fix;
  else if (packages?.fix && onlyPackages) hint = `${packages.fix}   then rerun \`${command}\``;
  else if (packages?.fix) hint = `${packages.fix}   and fix the rest above, then rerun \`${command}\``;
  return new PrereqError(`${command} stopped before starting anything: ${summary}`, {
    details: failed.flatMap((r) => [`${r.title}: ${r.detail}`, ...(r.fix ? [`  fix: ${r.fix}`] : [])]),
    hint,
  });
}

/**
 * Runs {@link preflight} and throws the {@link preflightError} when a check failed; returns
 * the warnings (a tolerated vm.max_map_count) for the caller to mention. What `oms up` and
 * `oms reset` call before their first step.
 */
export async function runPreflight(ctx: OpsContext, opts: PreflightOptions = {}, command = 'oms up'): Promise<CheckResult[]> {
  const results = await preflight(ctx, opts);
  const err = preflightError(results, command);
  if (err) throw err;
  return results.filter((r) => r.status === 'warn');
}
