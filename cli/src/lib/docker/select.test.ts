import { describe, expect, it } from 'vitest';
import type { RememberedRuntime } from '../stack/runtime-memory.js';
import { chooseOffline, chooseRuntime, type RuntimeFacts } from './select.js';

/** Facts where anything not given throws: proves what a decision did not need to ask. */
function facts(
  given: Partial<{ remembered: RememberedRuntime | null; local: boolean; localData: boolean; socket: boolean; daemon: boolean; compose: boolean; project: boolean; offline: boolean; registry: boolean }>,
): RuntimeFacts {
  const get = <K extends keyof typeof given>(k: K) => {
    if (given[k] === undefined) throw new Error(`asked for ${k}`);
    return given[k];
  };
  return {
    remembered: async () => get('remembered') ?? undefined,
    localStackAlive: async () => get('local'),
    localDataExists: async () => get('localData'),
    dockerConfigured: () => get('socket'),
    daemonAnswers: async () => get('daemon'),
    composeFound: async () => get('compose'),
    projectExists: async () => get('project'),
    offlineImagesBuilt: async () => get('offline'),
    registryReachable: async () => get('registry'),
  };
}

describe('chooseRuntime', () => {
  it('when a runtime is asked for, then it is kept without looking at anything', async () => {
    expect((await chooseRuntime('local', facts({}))).kind).toBe('local');
    expect((await chooseRuntime('docker', facts({}))).kind).toBe('docker');
  });

  it('when there is no Docker socket (CI, tests), then auto is local and no daemon is contacted', async () => {
    expect(await chooseRuntime('auto', facts({ remembered: null, local: false, localData: false, socket: false }))).toEqual({ kind: 'local', reason: 'no Docker daemon socket' });
  });

  it('when a local stack is running, then auto stays local even with a daemon', async () => {
    expect((await chooseRuntime('auto', facts({ remembered: null, local: true }))).kind).toBe('local');
  });

  it('when the daemon does not answer or compose is missing, then auto is local', async () => {
    expect((await chooseRuntime('auto', facts({ remembered: null, local: false, localData: false, socket: true, daemon: false }))).kind).toBe('local');
    expect((await chooseRuntime('auto', facts({ remembered: null, local: false, localData: false, socket: true, daemon: true, compose: false }))).kind).toBe('local');
  });

  it('when the docker stack exists, or offline images are built, or a registry answers, then auto is docker', async () => {
    const base = { remembered: null, local: false, localData: false, socket: true, daemon: true, compose: true };
    expect((await chooseRuntime('auto', facts({ ...base, project: true }))).kind).toBe('docker');
    expect((await chooseRuntime('auto', facts({ ...base, project: false, offline: true }))).kind).toBe('docker');
    expect((await chooseRuntime('auto', facts({ ...base, project: false, offline: false, registry: true }))).kind).toBe('docker');
  });

  it('when Docker answers but there is nothing it could run (no registry, no offline images), then auto is local and says why', async () => {
    const choice = await chooseRuntime('auto', facts({ remembered: null, local: false, localData: false, socket: true, daemon: true, compose: true, project: false, offline: false, registry: false }));
    expect(choice.kind).toBe('local');
    expect(choice.reason).toMatch(/oms build --offline/);
  });
});

describe('chooseRuntime with a remembered runtime', () => {
  const docker = { local: false, localData: false, socket: true, daemon: true, compose: true, project: false, offline: true, registry: false };

  it('when the state dir remembers local and a daemon with offline images answers, then auto stays local without asking Docker', async () => {
    const choice = await chooseRuntime('auto', facts({ remembered: { runtime: 'local', at: '2026-11-28T10:00:00.000Z' } }));
    expect(choice).toEqual({ kind: 'local', reason: 'last brought up with local at 2026-11-28T10:00:00.000Z' });
  });

  it('when the state dir remembers docker, then auto is docker', async () => {
    expect((await chooseRuntime('auto', facts({ remembered: { runtime: 'docker', at: '2026-11-28T10:00:00.000Z' } }))).kind).toBe('docker');
  });

  it('when a runtime is asked for by name, then it wins over the remembered one and the reason says who asked', async () => {
    expect(await chooseRuntime('docker', facts({}), 'OMS_RUNTIME=docker')).toEqual({ kind: 'docker', reason: 'OMS_RUNTIME=docker' });
  });

  it('when nothing is remembered but a stopped local stack left its data, then auto is local even though Docker could run', async () => {
    const choice = await chooseRuntime('auto', facts({ ...docker, remembered: null, localData: true }));
    expect(choice.kind).toBe('local');
    expect(choice.reason).toMatch(/local-runtime stack's data/);
    expect((await chooseRuntime('auto', facts({ ...docker, remembered: null }))).kind).toBe('docker');
  });
});

describe('chooseOffline', () => {
  const never = async (): Promise<never> => {
    throw new Error('not needed');
  };

  it('when --offline is given, then offline, without other checks', async () => {
    expect((await chooseOffline(true, { projectUsesOfflineImages: never, registryReachable: never, offlineImagesBuilt: never })).offline).toBe(true);
  });

  it('when a stack runs, then its image mode is kept (a plain `oms up` must not swap images under it)', async () => {
    expect((await chooseOffline(false, { projectUsesOfflineImages: async () => true, registryReachable: never, offlineImagesBuilt: never })).offline).toBe(true);
    expect((await chooseOffline(false, { projectUsesOfflineImages: async () => false, registryReachable: never, offlineImagesBuilt: never })).offline).toBe(false);
  });

  it('when no stack runs, then public images with a registry, offline ones without a registry if they are built', async () => {
    expect((await chooseOffline(false, { projectUsesOfflineImages: async () => undefined, registryReachable: async () => true, offlineImagesBuilt: never })).offline).toBe(false);
    expect((await chooseOffline(false, { projectUsesOfflineImages: async () => undefined, registryReachable: async () => false, offlineImagesBuilt: async () => true })).offline).toBe(true);
    expect((await chooseOffline(false, { projectUsesOfflineImages: async () => undefined, registryReachable: async () => false, offlineImagesBuilt: async () => false })).offline).toBe(false);
  });
});
