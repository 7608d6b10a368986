import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeRuntimeSwitch, readRememberedRuntime, rememberRuntime, runtimeFile } from './runtime-memory.js';

const base = mkdtempSync(join(tmpdir(), 'oms-runtime-memory-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('the remembered runtime', () => {
  it('when a runtime is remembered, then it is read back with its time, from runtime.json in the state dir', async () => {
    const stateDir = join(base, 'a', 'state');
    const at = new Date('2026-11-28T10:00:00.000Z');
    await rememberRuntime(stateDir, 'local', at);
    expect(runtimeFile(stateDir)).toBe(join(stateDir, 'runtime.json'));
    expect(JSON.parse(readFileSync(runtimeFile(stateDir), 'utf8'))).toEqual({ runtime: 'local', at: at.toISOString() });
    expect(await readRememberedRuntime(stateDir)).toEqual({ runtime: 'local', at: at.toISOString() });
    await rememberRuntime(stateDir, 'docker', at);
    expect((await readRememberedRuntime(stateDir))?.runtime).toBe('docker');
  });

  it('when nothing was remembered, or the file is not what oms writes, then there is no remembered runtime', async () => {
    expect(await readRememberedRuntime(join(base, 'none'))).toBeUndefined();
    const stateDir = join(base, 'bad');
    await rememberRuntime(stateDir, 'local');
    writeFileSync(runtimeFile(stateDir), '{"runtime":"podman"}');
    expect(await readRememberedRuntime(stateDir)).toBeUndefined();
    writeFileSync(runtimeFile(stateDir), 'not json');
    expect(await readRememberedRuntime(stateDir)).toBeUndefined();
  });
});

describe('describeRuntimeSwitch', () => {
  const where = { stateDir: '/srv/oms/state', project: 'oms', askedBy: '--runtime docker' };

  it('when another runtime than the remembered one is asked for, then it says a different stack with separate data, and how to go back', () => {
    const text = describeRuntimeSwitch({ runtime: 'local', at: '2026-11-28T10:00:00.000Z' }, 'docker', where)!;
    expect(text).toContain('switching runtime: local → docker (--runtime docker');
    expect(text).toContain('different stack with separate data (in the volumes of compose project oms)');
    expect(text).toContain("the local stack's data stays under /srv/oms/state");
    expect(text).toContain('`oms down --runtime local`');
    expect(text).toContain('`oms up --runtime local`');
  });

  it('when the runtime is the remembered one, or none is remembered, then nothing changes', () => {
    expect(describeRuntimeSwitch({ runtime: 'docker', at: 'x' }, 'docker', where)).toBeUndefined();
    expect(describeRuntimeSwitch(undefined, 'docker', where)).toBeUndefined();
  });
});
