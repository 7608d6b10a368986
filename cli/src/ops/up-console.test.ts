/** Where the console and the keeper sit in `oms up`'s plan: steps of their own, left out on request. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import type { OpsContext } from '../context.js';
import type { Stack } from '../lib/stack/types.js';
import { plansConsole, upSteps } from './up.js';

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const stateDir = mkdtempSync(join(tmpdir(), 'oms-up-console-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));
const loaded = loadConfig({ repoRoot: REPO_ROOT, cwd: REPO_ROOT, env: { OMS_STATE_DIR: stateDir }, flags: {} });
const ctx: OpsContext = { loaded, cwd: REPO_ROOT, repoRoot: REPO_ROOT, env: {}, signal: new AbortController().signal, debug: () => undefined };

/** A stack that only says which steps it would run (nothing here runs a step). */
function fakeStack(kind: 'local' | 'docker', asked: Array<string[] | undefined>): Stack {
  return {
    kind,
    componentIds: () => ['kafka'],
    steps: (opts) => {
      asked.push(opts?.only);
      return [{ id: 'kafka', title: 'Kafka', run: async () => undefined }];
    },
    downSteps: () => [],
    status: async () => [],
    // No component logs anything in this fake.
    logs: () => ({ [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true as const, value: undefined }) }) }),
    logFile: () => '',
  };
}

describe('the console in up', () => {
  it('when up runs without --only, then the console is a step of its own that waits for nothing, on either runtime', () => {
    for (const kind of ['local', 'docker'] as const) {
      const steps = upSteps(ctx, { seed: false }, fakeStack(kind, []));
      const console = steps.find((s) => s.id === 'console');
      expect(console?.title).toBe('Console on http://127.0.0.1:3080');
      expect(console?.needs ?? []).toEqual([]);
    }
  });

  it('when --no-console is given, then there is no console step', () => {
    expect(upSteps(ctx, { seed: false, console: false }, fakeStack('local', [])).map((s) => s.id)).not.toContain('console');
    expect(plansConsole({ console: false })).toBe(false);
  });

  it('when --only names other components, then the console is left out; when it names the console, only the console runs', () => {
    const asked: Array<string[] | undefined> = [];
    expect(upSteps(ctx, { seed: false, only: ['kafka'] }, fakeStack('local', asked)).map((s) => s.id)).not.toContain('console');
    expect(upSteps(ctx, { seed: false, only: ['console'] }, fakeStack('local', asked)).map((s) => s.id)).toEqual(['console']);
    expect(upSteps(ctx, { seed: false, only: ['kafka', 'console'] }, fakeStack('local', asked)).map((s) => s.id)).toEqual(['build', 'kafka', 'topics', 'console']);
    // The runtime is never asked about the console: it is not one of its components.
    expect(asked).toEqual([['kafka'], ['kafka']]);
  });
});

describe('the keeper in up', () => {
  it('when a whole local up runs, then the keeper starts last, after every other step of the stack', () => {
    const steps = upSteps(ctx, { seed: false, console: false }, fakeStack('local', []));
    expect(steps.at(-1)).toMatchObject({ id: 'keeper', needs: steps.slice(0, -1).map((s) => s.id) });
    expect(steps.map((s) => s.id)).not.toContain('stop:keeper');
  });

  it('when a whole docker up runs, then its keeper is stopped before any container is (re)created and started last (Docker leaves a docker-killed container down)', () => {
    const steps = upSteps(ctx, { seed: false, console: false }, fakeStack('docker', []));
    expect(steps[0]).toMatchObject({ id: 'stop:keeper' });
    for (const s of steps.slice(1, -1)) expect(s.needs).toContain('stop:keeper');
    expect(steps.at(-1)).toMatchObject({ id: 'keeper', needs: steps.slice(0, -1).map((s) => s.id) });
  });

  it('when --only names components, then the keeper is left off (after `down --only keeper` it stays off); when it names the keeper, only the keeper starts', () => {
    const asked: Array<string[] | undefined> = [];
    expect(upSteps(ctx, { seed: false, only: ['kafka'] }, fakeStack('local', asked)).map((s) => s.id)).not.toContain('keeper');
    expect(upSteps(ctx, { seed: false, only: ['keeper'] }, fakeStack('local', asked)).map((s) => s.id)).toEqual(['keeper']);
    expect(upSteps(ctx, { seed: false, only: ['kafka', 'keeper'] }, fakeStack('local', asked)).map((s) => s.id)).toEqual(['build', 'kafka', 'topics', 'keeper']);
    // The runtime is never asked about the keeper: it is not one of its components.
    expect(asked).toEqual([['kafka'], ['kafka']]);
  });
});
