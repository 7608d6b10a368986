import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, SETTINGS } from '../config.js';
import type { OpsContext } from '../context.js';
import { preflight, preflightError } from './doctor.js';

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');

/** Ports the kernel just handed out and took back: free now, and clear of any stack another test or person runs. */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((r) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => r(s)); })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

const PORT_SETTINGS = SETTINGS.filter((x) => x.key.startsWith('ports.'));
let ports: number[] = [];

/** Every OMS_PORT_* on a free port, and a state dir of its own. */
function shiftedEnv(stateDir: string, overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { OMS_STATE_DIR: stateDir };
  PORT_SETTINGS.forEach((s, i) => (env[s.env] = String(ports[i])));
  return { ...env, ...overrides };
}

function contextFor(env: NodeJS.ProcessEnv): OpsContext {
  const loaded = loadConfig({ repoRoot: REPO_ROOT, cwd: REPO_ROOT, env, flags: { runtime: 'local' } });
  return { loaded, cwd: REPO_ROOT, repoRoot: REPO_ROOT, env, signal: new AbortController().signal, debug: () => undefined };
}

describe('preflight', () => {
  let stateDir: string;
  let server: net.Server;
  let port: number;

  beforeAll(async () => {
    ports = await freePorts(PORT_SETTINGS.length);
    stateDir = join(mkdtempSync(join(tmpdir(), 'oms-preflight-')), 'state');
    server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
    rmSync(resolve(stateDir, '..'), { recursive: true, force: true });
  });

  it('when a port of a selected component is held by another process, then it fails naming the port and the holder, and the error is a prerequisite (exit 3)', async () => {
    const ctx = contextFor(shiftedEnv(stateDir, { OMS_PORT_POSTGRES: String(port) }));
    const results = await preflight(ctx);
    const pg = results.find((r) => r.id === 'port:postgres');
    expect(pg).toMatchObject({ status: 'fail', title: `port ${port} (PostgreSQL)` });
    expect(pg!.detail).toContain(`(pid ${process.pid})`);
    const err = preflightError(results);
    expect(err?.exitCode).toBe(3);
    expect(err?.message).toContain(`port ${port}`);
    expect(err?.details.join('\n')).toContain('OMS_PORT_POSTGRES=');
  });

  it('when the taken port belongs to a component that is not selected, then preflight does not look at it', async () => {
    const ctx = contextFor(shiftedEnv(stateDir, { OMS_PORT_POSTGRES: String(port) }));
    const results = await preflight(ctx, { only: ['kafka'] });
    expect(results.find((r) => r.id === 'port:postgres')).toBeUndefined();
    expect(results.find((r) => r.id === 'port:kafka')).toBeDefined();
    expect(results.find((r) => r.id === 'java')).toBeDefined();
    expect(results.find((r) => r.id === 'mariadb')).toBeUndefined();
  });

  it('when preflight runs, then it creates nothing under the state dir', async () => {
    await preflight(contextFor(shiftedEnv(stateDir)));
    expect(readdirSync(resolve(stateDir, '..'))).toEqual([]);
  });

  it('when OS packages are missing, then the error names each check and the hint is the one apt command for all of them', () => {
    const fix = 'sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y openjdk-17-jre-headless maven postgresql';
    const err = preflightError([
      { id: 'java', title: 'Java 17-23', status: 'fail', detail: 'none found', fix: 'sudo apt-get install -y openjdk-17-jre-headless' },
      { id: 'maven', title: 'Maven', status: 'fail', detail: 'mvn missing', fix: 'sudo apt-get install -y maven' },
      { id: 'postgres', title: 'PostgreSQL 15 binaries', status: 'fail', detail: 'initdb missing', fix: 'sudo apt-get install -y postgresql' },
      { id: 'os-packages', title: 'OS packages', status: 'fail', detail: 'missing …', fix },
    ]);
    expect(err?.exitCode).toBe(3);
    expect(err?.hint).toBe(`${fix}   then rerun \`oms up\``);
    expect(err?.details.join('\n')).toContain('Java 17-23: none found');
  });

  it('when nothing failed, then there is no preflight error', () => {
    expect(preflightError([{ id: 'x', title: 'x', status: 'warn', detail: 'd', fix: 'f' }])).toBeUndefined();
  });
});
