/**
 * `oms doctor`'s judgements: pure functions from facts about the machine (gathered by
 * facts.ts) to check results, so every threshold and every fix text is unit-tested without
 * touching the machine.
 */
import { aptCommand, describePlan, planOsPackages, type OsNeeds, type PlannedPackage } from '../runtime/os-packages.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of `oms doctor`; `fix` is what to run or change (null when status is ok). */
export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  detail: string;
  fix: string | null;
}

const GIB = 1024 ** 3;
/** Below this much available memory the full stack (three JVMs, two databases, Redis, six services) gets tight. */
export const MIN_MEMORY_BYTES = 4 * GIB;
/** Below this much free disk the databases, Kafka and Elasticsearch may fill it. */
export const MIN_DISK_BYTES = 5 * GIB;
/** What Elasticsearch's bootstrap check asks for. */
export const MIN_MAX_MAP_COUNT = 262_144;

function ok(id: string, title: string, detail: string): CheckResult {
  return { id, title, status: 'ok', detail, fix: null };
}

export function gib(bytes: number): string {
  return `${(bytes / GIB).toFixed(1)} GB`;
}

/**
 * Which runtime the checks are for: the one asked for, else the one the state dir remembers
 * (`remembered`), else local with Docker reported too.
 */
export function checkRuntime(asked: 'auto' | 'local' | 'docker', remembered?: 'local' | 'docker'): CheckResult {
  const kind = asked === 'auto' ? (remembered ?? 'auto') : asked;
  const why = asked === 'auto' && remembered ? ` (the runtime this state dir's stack was last brought up with; \`oms doctor --runtime ${remembered === 'local' ? 'docker' : 'local'}\` checks the other)` : '';
  const detail =
    kind === 'docker'
      ? `checking for the docker runtime (containers bring their own Java, databases and Elasticsearch)${why}`
      : `checking for the local runtime${kind === 'auto' ? ' (runtime auto; `oms doctor --runtime docker` checks the docker runtime)' : why}`;
  return ok('runtime', 'runtime', detail);
}


export interface DockerFacts {
  /** Client version, or null when the `docker` CLI is not installed. */
  client: string | null;
  /** Daemon version, or null when it does not answer. */
  server: string | null;
  /** Why the daemon did not answer (first line of docker's message). */
  error: string | null;
  /** `docker compose` (v2) or `docker-compose` version, or null. */
  compose: string | null;
}

/**
 * Docker daemon and compose. The local runtime needs neither, so they only warn unless the
 * docker runtime was asked for.
 */
export function checkDocker(f: DockerFacts, required: boolean): CheckResult[] {
  const bad: CheckStatus = required ? 'fail' : 'warn';
  const why = required ? '' : ' (only the docker runtime needs it; the local runtime does not)';
  const results: CheckResult[] = [];
  if (!f.client) {
    results.push({ id: 'docker', title: 'Docker daemon', status: bad, detail: `the docker CLI is not installed${why}`, fix: 'install Docker Engine: https://docs.docker.com/engine/install/' });
  } else if (!f.server) {
    results.push({
      id: 'docker',
      title: 'Docker daemon',
      status: bad,
      detail: `docker ${f.client} is installed but the daemon does not answer${f.error ? `: ${f.error}` : ''}${why}`,
      fix: 'start the daemon (sudo systemctl start docker), or point DOCKER_HOST at one; check you may use /var/run/docker.sock (the docker group)',
    });
  } else {
    results.push(ok('docker', 'Docker daemon', `client ${f.client}, daemon ${f.server}`));
  }
  if (f.compose) results.push(ok('compose', 'Docker Compose', `version ${f.compose}`));
  else results.push({ id: 'compose', title: 'Docker Compose', status: bad, detail: `neither \`docker compose\` nor docker-compose found${why}`, fix: aptCommand(['docker-compose-plugin'], false) });
  return results;
}

export type JavaFacts = { found: { major: number; home: string } } | { found: null; error: string; hint: string | null };

/** Whether `oms up` installs missing OS packages itself (root on Debian with apt-get), and whether we are root (no sudo in fixes). */
export interface InstallFacts {
  autoInstall: boolean;
  root: boolean;
}

export function checkJava(f: JavaFacts, install: InstallFacts = { autoInstall: false, root: false }): CheckResult {
  const title = 'Java 17-23 (Kafka, Connect, Elasticsearch)';
  if (f.found) return ok('java', title, `Java ${f.found.major} at ${f.found.home}`);
  if (install.autoInstall) {
    return { id: 'java', title, status: 'warn', detail: `${f.error} \`oms up\` installs openjdk-17-jre-headless itself (root on Debian)`, fix: aptCommand(['openjdk-17-jre-headless'], install.root) };
  }
  return { id: 'java', title, status: 'fail', detail: f.error, fix: f.hint ?? 'sudo apt-get install -y openjdk-17-jre-headless   (or set JAVA_HOME to a Java 17-23 home)' };
}

export interface MavenFacts {
  mvn: string | null;
  tar: boolean;
  unzip: boolean;
  /** The artifact cache (Kafka, Debezium, Elasticsearch) is complete: nothing to fetch. */
  artifactsCached: boolean;
  artifactsDir: string;
  root: boolean;
  /** `oms up` installs missing OS packages itself (root on Debian). */
  autoInstall?: boolean;
}

/** Maven fetches the pinned Kafka/Debezium/Elasticsearch once; a complete cache makes it optional. */
export function checkMaven(f: MavenFacts): CheckResult {
  const title = 'Maven (first fetch of Kafka, Debezium, Elasticsearch)';
  if (f.artifactsCached) {
    if (f.mvn) return ok('maven', title, `${f.mvn}; artifacts already cached in ${f.artifactsDir}`);
    return {
      id: 'maven',
      title,
      status: 'warn',
      detail: `mvn not found; not needed now: the artifacts are cached in ${f.artifactsDir}`,
      fix: `${aptCommand(['maven'], f.root)}   (needed again only if the cache is deleted or the pinned versions change)`,
    };
  }
  const missing = [...(f.mvn ? [] : ['maven']), ...(f.tar ? [] : ['tar']), ...(f.unzip ? [] : ['unzip'])];
  if (missing.length === 0) return ok('maven', title, `${f.mvn!}; the first \`oms up\` fetches the artifacts into ${f.artifactsDir}`);
  if (f.autoInstall && f.tar) {
    return { id: 'maven', title, status: 'warn', detail: `the artifacts are not cached yet (${f.artifactsDir}); \`oms up\` installs ${missing.join(', ')} itself (root on Debian), then fetches them`, fix: aptCommand(missing, f.root) };
  }
  return {
    id: 'maven',
    title,
    status: 'fail',
    detail: `the artifacts are not cached yet (${f.artifactsDir}) and fetching them needs ${missing.join(', ')}, which ${missing.length > 1 ? 'are' : 'is'} missing`,
    fix: aptCommand(missing, f.root),
  };
}

export interface OsPackageFacts {
  mariadb: { mariadbd: string } | null;
  postgres: { bin: string; version: number | null } | null;
  redis: { server: string } | null;
  /** `oms up` installs missing packages itself (root on Debian with apt-get). */
  autoInstall: boolean;
  root: boolean;
}

function missingPackage(id: string, title: string, what: string, pkg: string, f: OsPackageFacts): CheckResult {
  if (f.autoInstall) {
    return { id, title, status: 'warn', detail: `${what} not installed; \`oms up\` installs ${pkg} itself (root on Debian)`, fix: aptCommand([pkg], f.root) };
  }
  return { id, title, status: 'fail', detail: `${what} not found`, fix: aptCommand([pkg], f.root) };
}

export function checkMariaDb(f: OsPackageFacts): CheckResult {
  const title = 'MariaDB server binaries';
  if (f.mariadb) return ok('mariadb', title, `${f.mariadb.mariadbd} (and mariadb-install-db)`);
  return missingPackage('mariadb', title, 'mariadbd / mariadb-install-db', 'mariadb-server', f);
}

export function checkPostgres(f: OsPackageFacts): CheckResult {
  const title = 'PostgreSQL 15 binaries';
  if (!f.postgres) return missingPackage('postgres', title, 'initdb / postgres', 'postgresql', f);
  if (f.postgres.version === 15 || f.postgres.version === null) return ok('postgres', title, `${f.postgres.bin}${f.postgres.version ? ` (PostgreSQL ${f.postgres.version})` : ''}`);
  return {
    id: 'postgres',
    title,
    status: 'warn',
    detail: `PostgreSQL ${f.postgres.version} at ${f.postgres.bin}; oms is tested with 15 (others usually work)`,
    fix: aptCommand(['postgresql-15'], f.root),
  };
}

export function checkRedis(f: OsPackageFacts): CheckResult {
  const title = 'Redis server binary (inventory)';
  if (f.redis) return ok('redis', title, f.redis.server);
  return missingPackage('redis', title, 'redis-server', 'redis-server', f);
}

/**
 * The one package list for everything missing (the plan `oms up` installs), from facts already
 * gathered: Java and the database binaries when needed, Maven and unzip only while the
 * artifacts are not cached.
 */
export function packagePlan(needs: { java: boolean; mariadb: boolean; postgres: boolean; redis: boolean }, facts: { java?: JavaFacts; maven?: MavenFacts; os?: OsPackageFacts }): PlannedPackage[] {
  const fetch = needs.java && facts.maven !== undefined && !facts.maven.artifactsCached;
  const wanted: OsNeeds = { java: needs.java, maven: fetch, unzip: fetch, mariadb: needs.mariadb, postgres: needs.postgres, redis: needs.redis };
  return planOsPackages(wanted, {
    java: facts.java?.found != null,
    maven: Boolean(facts.maven?.mvn),
    unzip: facts.maven?.unzip ?? false,
    mariadb: facts.os?.mariadb != null,
    postgres: facts.os?.postgres != null,
    redis: facts.os?.redis != null,
  });
}

/**
 * Everything the local runtime misses from the OS packages, as one install: `oms up` runs it
 * itself as root on Debian (warn), otherwise this is the exact command (fail). The same plan
 * and the same command as `oms up` uses.
 */
export function checkOsPackages(plan: PlannedPackage[], install: InstallFacts): CheckResult {
  const title = 'OS packages (Java, Maven, MariaDB, PostgreSQL, Redis)';
  if (plan.length === 0) return ok('os-packages', title, 'nothing to install');
  const fix = aptCommand(plan.map((p) => p.pkg), install.root);
  if (install.autoInstall) return { id: 'os-packages', title, status: 'warn', detail: `missing ${describePlan(plan)}; \`oms up\` installs them itself in one apt run (root on Debian)`, fix };
  return { id: 'os-packages', title, status: 'fail', detail: `missing ${describePlan(plan)}; one command installs all of them`, fix };
}

export interface PortFact {
  /** Setting key without the `ports.` prefix (`kafka`, `ordersGraph`). */
  key: string;
  /** Its OMS_PORT_* variable. */
  env: string;
  /** What listens there (from the config docs). */
  doc: string;
  port: number;
  /** The oms component that listens on it. */
  component: string;
  /** free; held by this state dir's stack (by `owner`); or taken by someone else. */
  state: 'free' | 'ours' | 'taken';
  /** Who holds it (`java (pid 6343)`), when taken or ours. */
  holder: string | null;
  /** The component of this stack holding it, when `state` is ours or oms's other component holds it. */
  owner: string | null;
}

export function checkPort(f: PortFact): CheckResult {
  const id = `port:${f.key}`;
  // "Elasticsearch transport (node-to-node; must be free)" → "Elasticsearch transport"
  const title = `port ${f.port} (${f.doc.replace(/\s*\(.*\)$/, '')})`;
  if (f.state === 'free') return ok(id, title, 'free');
  if (f.state === 'ours') return ok(id, title, `held by this stack's ${f.owner ?? f.component}${f.holder ? `: ${f.holder}` : ''}`);
  const alt = f.port + 10_000 <= 65_535 ? f.port + 10_000 : f.port - 10_000;
  return {
    id,
    title,
    status: 'fail',
    detail: `in use by ${f.owner ? `oms's ${f.owner} (${f.holder ?? 'unknown process'}), not ${f.component}` : (f.holder ?? 'another process')}`,
    fix: `stop that process, or give oms another port: ${f.env}=${alt} oms up   (or "ports": {"${f.key}": ${alt}} in oms.config.json)`,
  };
}

export interface MemoryFacts {
  availableBytes: number | null;
  /** Some component of this stack runs: its memory is already in use, not available. */
  stackRunning: boolean;
}

export function checkMemory(f: MemoryFacts): CheckResult {
  const title = 'available memory';
  if (f.availableBytes === null) return { id: 'memory', title, status: 'warn', detail: 'could not read the available memory', fix: 'make sure about 4 GB are free for the full stack' };
  const note = f.stackRunning ? ' (the running stack already uses its share)' : '';
  if (f.availableBytes >= MIN_MEMORY_BYTES || f.stackRunning) return ok('memory', title, `${gib(f.availableBytes)} available${note}`);
  return {
    id: 'memory',
    title,
    status: 'warn',
    detail: `${gib(f.availableBytes)} available; the full stack (three JVMs, two databases, Redis, six services) wants about ${gib(MIN_MEMORY_BYTES)}`,
    fix: 'close other programs, or start part of the stack (`oms up --only orders` starts orders and what it needs)',
  };
}

export interface DiskFacts {
  id: string;
  /** What lives there ("state dir", "cache dir"). */
  label: string;
  path: string;
  /** Bytes free for us, or null with `error`. */
  availableBytes: number | null;
  error: string | null;
  /** The variable that moves it. */
  env: string;
}

export function checkDisk(f: DiskFacts): CheckResult {
  const title = `free disk at the ${f.label}`;
  if (f.availableBytes === null) return { id: f.id, title, status: 'warn', detail: `could not measure ${f.path}: ${f.error ?? 'unknown error'}`, fix: `check that ${f.path} (or its parent) exists and is readable` };
  if (f.availableBytes >= MIN_DISK_BYTES) return ok(f.id, title, `${gib(f.availableBytes)} free at ${f.path}`);
  return {
    id: f.id,
    title,
    status: 'warn',
    detail: `${gib(f.availableBytes)} free at ${f.path}; the stack wants about ${gib(MIN_DISK_BYTES)}`,
    fix: `free space there, or move it: ${f.env}=/a/bigger/disk oms up`,
  };
}

/** vm.max_map_count (null when not on Linux). */
export function checkMaxMapCount(value: number | null): CheckResult {
  const title = 'vm.max_map_count (Elasticsearch)';
  if (value === null) return ok('max_map_count', title, 'not applicable on this system');
  if (value >= MIN_MAX_MAP_COUNT) return ok('max_map_count', title, String(value));
  return {
    id: 'max_map_count',
    title,
    status: 'warn',
    detail:
      `${value}, below the ${MIN_MAX_MAP_COUNT} Elasticsearch asks for. Both runtimes run Elasticsearch as a single node (discovery.type=single-node), ` +
      'where this bootstrap check only logs a warning, so it starts anyway; a multi-node or production-mode cluster would refuse to start',
    fix: `sudo sysctl -w vm.max_map_count=${MIN_MAX_MAP_COUNT}   (keep it: echo vm.max_map_count=${MIN_MAX_MAP_COUNT} | sudo tee /etc/sysctl.d/99-elasticsearch.conf)`,
  };
}

/** A failure is worth exit 1; warnings are not. */
export function anyFailed(results: CheckResult[]): boolean {
  return results.some((r) => r.status === 'fail');
}

const MARK: Record<CheckStatus, string> = { ok: 'ok', warn: 'WARN', fail: 'FAIL' };

/** The doctor table: one line per check, the fix indented under each non-ok one. */
export function renderChecks(results: CheckResult[]): string {
  const width = Math.max(...results.map((r) => r.title.length));
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${MARK[r.status].padEnd(4)}  ${r.title.padEnd(width)}  ${r.detail}`);
    if (r.fix) lines.push(`${' '.repeat(6 + width)}  fix: ${r.fix}`);
  }
  const fails = results.filter((r) => r.status === 'fail').length;
  const warns = results.filter((r) => r.status === 'warn').length;
  lines.push('', fails > 0 ? `${fails} check(s) failed, ${warns} warning(s): fix the failures above, then rerun \`oms doctor\`.` : warns > 0 ? `All required checks pass (${warns} warning(s)).` : 'All checks pass.');
  return lines.join('\n');
}
