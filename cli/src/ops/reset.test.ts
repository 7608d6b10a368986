import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, SETTINGS } from '../config.js';
import type { OpsContext } from '../context.js';
import { UsageError } from '../errors.js';
import { reset } from './reset.js';

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const base = mkdtempSync(join(tmpdir(), 'oms-reset-'));
const stateDir = join(base, 'state');

let ports: number[] = [];

beforeAll(async () => {
  // Ports the kernel just handed out: free, so no stack anyone runs is touched.
  const servers = await Promise.all(
    SETTINGS.filter((x) => x.key.startsWith('ports.')).map(() => new Promise<net.Server>((r) => { const s = net.createServer(); s.listen(0, '127.0.0.1', () => r(s)); })),
  );
  ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

function context(): OpsContext {
  const env: NodeJS.ProcessEnv = { OMS_STATE_DIR: stateDir };
  SETTINGS.filter((x) => x.key.startsWith('ports.')).forEach((s, i) => (env[s.env] = String(ports[i])));
  const loaded = loadConfig({ repoRoot: REPO_ROOT, cwd: REPO_ROOT, env, flags: { runtime: 'local' } });
  return { loaded, cwd: REPO_ROOT, repoRoot: REPO_ROOT, env, signal: new AbortController().signal, debug: () => undefined };
}

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('reset', () => {
  it('when stdin is not a terminal and --yes is missing, then it refuses with a usage error that says to pass --yes', async () => {
    const asked: string[] = [];
    const err = await reset(context(), false, { canAsk: () => false, confirm: async (q) => (asked.push(q), true) }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).hint).toContain('--yes');
    expect(asked).toEqual([]);
  });

  it('when the user does not confirm on a terminal, then nothing is stopped or deleted', async () => {
    const asked: string[] = [];
    const result = await reset(context(), false, { canAsk: () => true, confirm: async (q) => (asked.push(q), false) });
    expect(result).toEqual({ confirmed: false, steps: [] });
    expect(asked[0]).toContain(stateDir);
    expect(existsSync(stateDir)).toBe(false);
  });
});
