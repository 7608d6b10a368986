import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { faultRuntime } from './targets.js';

const docker = { kind: 'docker' as const, reason: 'last brought up with docker at 2026-11-29T06:00:00Z' };
const local = { kind: 'local' as const, reason: 'last brought up with local at 2026-11-29T05:00:00Z' };

describe('the fault battery runtime', () => {
  it('when --runtime is not given, then the battery drives the runtime the stack runs with', () => {
    expect(faultRuntime(undefined, docker, '/s')).toBe('docker');
    expect(faultRuntime(undefined, local, '/s')).toBe('local');
  });

  it('when --runtime names the runtime the stack runs with, then that one is driven', () => {
    expect(faultRuntime('docker', docker, '/s')).toBe('docker');
    expect(faultRuntime('local', local, '/s')).toBe('local');
  });

  it('when --runtime docker is given against a local stack, then it is a usage error naming both runtimes and the fix', () => {
    const err = (() => {
      try {
        return faultRuntime('docker', local, '/tmp/st');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).exitCode).toBe(2);
    expect((err as UsageError).message).toBe('--runtime docker, but the stack of /tmp/st runs with the local runtime (last brought up with local at 2026-11-29T05:00:00Z)');
    expect((err as UsageError).hint).toContain('`oms up --runtime docker`');
  });

  it('when --runtime local is given against a docker stack, then it is a usage error too', () => {
    expect(() => faultRuntime('local', docker, '/s')).toThrow(/^--runtime local, but the stack of \/s runs with the docker runtime/);
  });
});
