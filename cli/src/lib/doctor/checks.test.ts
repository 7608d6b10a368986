import { describe, expect, it } from 'vitest';
import {
  MIN_DISK_BYTES,
  MIN_MEMORY_BYTES,
  anyFailed,
  checkDisk,
  checkDocker,
  checkJava,
  checkMariaDb,
  checkMaven,
  checkMaxMapCount,
  checkMemory,
  checkOsPackages,
  checkPort,
  checkPostgres,
  checkRedis,
  checkRuntime,
  packagePlan,
  renderChecks,
  type JavaFacts,
  type MavenFacts,
  type OsPackageFacts,
  type PortFact,
} from './checks.js';

const GIB = 1024 ** 3;

describe('checkDocker', () => {
  it('when the daemon answers and compose exists, then both are ok', () => {
    const r = checkDocker({ client: '28.2.2', server: '28.2.2', error: null, compose: '2.36.0' }, false);
    expect(r.map((c) => c.status)).toEqual(['ok', 'ok']);
  });

  it('when the daemon does not answer and the local runtime is used, then it only warns, with the reason and a fix', () => {
    const [docker, compose] = checkDocker({ client: '28.2.2', server: null, error: 'Cannot connect to the Docker daemon', compose: null }, false);
    expect(docker).toMatchObject({ id: 'docker', status: 'warn' });
    expect(docker!.detail).toContain('Cannot connect to the Docker daemon');
    expect(docker!.detail).toContain('only the docker runtime needs it');
    expect(docker!.fix).toMatch(/systemctl start docker/);
    expect(compose).toMatchObject({ id: 'compose', status: 'warn' });
    expect(compose!.fix).toContain('docker-compose-plugin');
  });

  it('when the docker runtime is asked for and docker is missing, then it fails', () => {
    const [docker] = checkDocker({ client: null, server: null, error: null, compose: null }, true);
    expect(docker).toMatchObject({ status: 'fail' });
    expect(docker!.detail).toContain('not installed');
  });
});

describe('checkJava', () => {
  it('when a Java 17-23 is found, then it is ok and names it', () => {
    expect(checkJava({ found: { major: 17, home: '/usr/lib/jvm/java-17' } })).toMatchObject({ status: 'ok', detail: 'Java 17 at /usr/lib/jvm/java-17', fix: null });
  });

  it('when none is found, then it fails with the finder message and its hint', () => {
    const r = checkJava({ found: null, error: 'No Java 17-23 found (found: /opt/jdk-25 (Java 25))', hint: 'sudo apt-get install -y openjdk-17-jre-headless' });
    expect(r).toMatchObject({ status: 'fail', fix: 'sudo apt-get install -y openjdk-17-jre-headless' });
    expect(r.detail).toContain('Java 25');
  });
});

describe('checkMaven', () => {
  const base = { mvn: '/usr/bin/mvn', tar: true, unzip: true, artifactsCached: false, artifactsDir: '/c/local-runtime-abc', root: false };

  it('when the artifact cache is complete and Maven is missing, then it only warns', () => {
    const r = checkMaven({ ...base, mvn: null, artifactsCached: true });
    expect(r.status).toBe('warn');
    expect(r.detail).toContain('cached in /c/local-runtime-abc');
    expect(r.fix).toContain('apt-get install -y maven');
  });

  it('when nothing is cached and Maven is missing, then it fails with the apt command', () => {
    const r = checkMaven({ ...base, mvn: null, unzip: false });
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('maven, unzip');
    expect(r.fix).toBe('sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y maven unzip');
  });

  it('when nothing is cached but the tools are there, then it is ok and says the first up fetches', () => {
    expect(checkMaven(base)).toMatchObject({ status: 'ok' });
    expect(checkMaven(base).detail).toContain('first `oms up` fetches');
  });
});

describe('OS package checks', () => {
  const none: OsPackageFacts = { mariadb: null, postgres: null, redis: null, autoInstall: false, root: true };

  it('when MariaDB is missing and oms cannot install it, then it fails with the apt command (no sudo as root)', () => {
    expect(checkMariaDb(none)).toMatchObject({ status: 'fail', fix: 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y mariadb-server' });
  });

  it('when the binaries are missing but oms up installs them itself, then it only warns', () => {
    expect(checkMariaDb({ ...none, autoInstall: true }).status).toBe('warn');
    expect(checkPostgres({ ...none, autoInstall: true }).status).toBe('warn');
  });

  it('when PostgreSQL 15 is found, then it is ok; another major only warns', () => {
    expect(checkPostgres({ ...none, postgres: { bin: '/usr/lib/postgresql/15/bin', version: 15 } }).status).toBe('ok');
    const other = checkPostgres({ ...none, postgres: { bin: '/usr/lib/postgresql/16/bin', version: 16 } });
    expect(other.status).toBe('warn');
    expect(other.fix).toContain('postgresql-15');
  });

  it('when redis-server is found, then it is ok; missing, it fails with the apt command, or warns when oms up installs it', () => {
    expect(checkRedis({ ...none, redis: { server: '/usr/bin/redis-server' } })).toMatchObject({ status: 'ok', detail: '/usr/bin/redis-server', fix: null });
    expect(checkRedis(none)).toMatchObject({ status: 'fail', fix: 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server' });
    expect(checkRedis({ ...none, autoInstall: true }).status).toBe('warn');
  });
});

describe('the one package plan (what oms up installs, what doctor names)', () => {
  const noJava: JavaFacts = { found: null, error: 'No Java 17-23 found (found: /usr/lib/jvm/temurin-25 (Java 25)).', hint: null };
  const java17: JavaFacts = { found: { major: 17, home: '/usr/lib/jvm/java-17-openjdk-amd64' } };
  const maven = (over: Partial<MavenFacts> = {}): MavenFacts => ({ mvn: null, tar: true, unzip: false, artifactsCached: false, artifactsDir: '/c/local-runtime-abc', root: true, ...over });
  const os = (over: Partial<OsPackageFacts> = {}): OsPackageFacts => ({ mariadb: null, postgres: null, redis: null, autoInstall: false, root: true, ...over });
  const all = { java: true, mariadb: true, postgres: true, redis: true };

  it('when a machine has only Node, then one plan lists Java 17, Maven, unzip, MariaDB, PostgreSQL and Redis', () => {
    expect(packagePlan(all, { java: noJava, maven: maven(), os: os() }).map((p) => p.pkg)).toEqual(['openjdk-17-jre-headless', 'maven', 'unzip', 'mariadb-server', 'postgresql', 'redis-server']);
  });

  it('when the artifacts are cached, then Maven and unzip are not needed even if missing', () => {
    expect(packagePlan(all, { java: java17, maven: maven({ artifactsCached: true }), os: os({ mariadb: { mariadbd: '/usr/sbin/mariadbd' }, postgres: { bin: '/usr/lib/postgresql/15/bin', version: 15 }, redis: { server: '/usr/bin/redis-server' } }) })).toEqual([]);
  });

  it('when only a Java outside 17-23 is installed, then Java 17 is planned', () => {
    expect(packagePlan({ java: true, mariadb: false, postgres: false, redis: false }, { java: noJava, maven: maven({ mvn: '/usr/bin/mvn', unzip: true }) }).map((p) => p.pkg)).toEqual(['openjdk-17-jre-headless']);
  });

  it('when oms up can install (root on Debian), then the check warns and names every package; else it fails with the exact command', () => {
    const plan = packagePlan(all, { java: noJava, maven: maven({ unzip: true }), os: os({ mariadb: { mariadbd: '/usr/sbin/mariadbd' }, redis: { server: '/usr/bin/redis-server' } }) });
    const auto = checkOsPackages(plan, { autoInstall: true, root: true });
    expect(auto.status).toBe('warn');
    expect(auto.detail).toContain('installs them itself in one apt run');
    expect(auto.fix).toBe('apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y openjdk-17-jre-headless maven postgresql');
    const user = checkOsPackages(plan, { autoInstall: false, root: false });
    expect(user).toMatchObject({ status: 'fail', fix: 'sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y openjdk-17-jre-headless maven postgresql' });
    expect(user.detail).toContain('Java 17 (openjdk-17-jre-headless)');
    expect(checkOsPackages([], { autoInstall: false, root: false }).status).toBe('ok');
  });

  it('when Java or Maven is missing and oms up installs them itself, then those checks only warn', () => {
    expect(checkJava(noJava, { autoInstall: true, root: true })).toMatchObject({ status: 'warn', fix: 'apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y openjdk-17-jre-headless' });
    expect(checkMaven({ ...maven({ unzip: true }), autoInstall: true }).status).toBe('warn');
    expect(checkJava(noJava).status).toBe('fail');
    expect(checkMaven(maven({ unzip: true })).status).toBe('fail');
  });
});

describe('checkPort', () => {
  const fact: PortFact = { key: 'postgres', env: 'OMS_PORT_POSTGRES', doc: 'PostgreSQL', port: 5432, component: 'postgres', state: 'free', holder: null, owner: null };

  it('when the port is free, then it is ok', () => {
    expect(checkPort(fact)).toMatchObject({ id: 'port:postgres', title: 'port 5432 (PostgreSQL)', status: 'ok', detail: 'free' });
  });

  it('when our own stack holds it, then it is ok and names our component', () => {
    const r = checkPort({ ...fact, state: 'ours', holder: 'postgres (pid 42)', owner: 'postgres' });
    expect(r.status).toBe('ok');
    expect(r.detail).toBe("held by this stack's postgres: postgres (pid 42)");
  });

  it('when another process holds it, then it fails naming the holder and the variable that moves it', () => {
    const r = checkPort({ ...fact, state: 'taken', holder: 'node (pid 777)' });
    expect(r.status).toBe('fail');
    expect(r.detail).toBe('in use by node (pid 777)');
    expect(r.fix).toContain('OMS_PORT_POSTGRES=15432');
  });

  it('when the doc has a parenthesised remark, then the title drops it', () => {
    expect(checkPort({ ...fact, doc: 'Elasticsearch transport (node-to-node; must be free)', port: 9300 }).title).toBe('port 9300 (Elasticsearch transport)');
  });
});

describe('resources', () => {
  it('when less than 4 GB are available and no stack runs, then memory warns', () => {
    expect(checkMemory({ availableBytes: MIN_MEMORY_BYTES - 1, stackRunning: false }).status).toBe('warn');
    expect(checkMemory({ availableBytes: MIN_MEMORY_BYTES, stackRunning: false }).status).toBe('ok');
  });

  it('when the stack already runs, then low memory is not blamed on the next start', () => {
    expect(checkMemory({ availableBytes: 2 * GIB, stackRunning: true }).status).toBe('ok');
  });

  it('when less than 5 GB of disk are free, then it warns with the variable that moves the dir', () => {
    const r = checkDisk({ id: 'disk:state', label: 'state dir', path: '/s', availableBytes: MIN_DISK_BYTES - 1, error: null, env: 'OMS_STATE_DIR' });
    expect(r.status).toBe('warn');
    expect(r.fix).toContain('OMS_STATE_DIR=');
  });

  it('when vm.max_map_count is low, then it warns, says single-node ES tolerates it and gives the sysctl', () => {
    const r = checkMaxMapCount(65530);
    expect(r.status).toBe('warn');
    expect(r.detail).toContain('single-node');
    expect(r.fix).toContain('sysctl -w vm.max_map_count=262144');
    expect(checkMaxMapCount(262144).status).toBe('ok');
    expect(checkMaxMapCount(null).status).toBe('ok');
  });
});

describe('checkRuntime', () => {
  it('when the runtime is auto, then the checks are for the local runtime and say how to check docker', () => {
    expect(checkRuntime('auto').detail).toContain('--runtime docker');
    expect(checkRuntime('docker').detail).toContain('docker runtime');
  });

  it('when the runtime is auto and the state dir remembers one, then the checks are for that one and say so', () => {
    expect(checkRuntime('auto', 'docker').detail).toMatch(/^checking for the docker runtime .*last brought up with; `oms doctor --runtime local` checks the other/);
    expect(checkRuntime('auto', 'local').detail).toMatch(/^checking for the local runtime \(the runtime this state dir's stack was last brought up with/);
    expect(checkRuntime('local', 'docker').detail).toBe('checking for the local runtime');
  });
});

describe('rendering', () => {
  it('when a check fails, then the table shows every check, the fix under it, and a failing summary', () => {
    const results = [checkMaxMapCount(262144), checkPort({ key: 'kafka', env: 'OMS_PORT_KAFKA', doc: 'Kafka broker', port: 9092, component: 'kafka', state: 'taken', holder: 'java (pid 1)', owner: null })];
    expect(anyFailed(results)).toBe(true);
    const text = renderChecks(results);
    expect(text).toMatch(/^ok\s+vm\.max_map_count/m);
    expect(text).toMatch(/^FAIL\s+port 9092 \(Kafka broker\)\s+in use by java \(pid 1\)/m);
    expect(text).toMatch(/^\s+fix: stop that process/m);
    expect(text).toContain('1 check(s) failed');
  });

  it('when only warnings are left, then nothing failed', () => {
    expect(anyFailed([checkMaxMapCount(1)])).toBe(false);
  });
});
