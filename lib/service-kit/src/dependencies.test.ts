import { describe, expect, it } from 'vitest';
import { DependencyState, StartupError, thenStart, waitForDependencies, type DependencyStep } from './dependencies.js';
import { createLogger } from './logger.js';
import { RetryAbortedError } from './retry.js';

const fast = { initialMs: 1, maxMs: 5 };

/** A logger whose JSON lines the test can read. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('test', 'info', {}, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

/** A dependency that refuses `failures` times, then comes up. */
function flakyStep(dependency: string, failures: number, error = 'connect ECONNREFUSED 127.0.0.1:1'): DependencyStep & { calls: number } {
  const step = {
    dependency,
    target: `${dependency} at 127.0.0.1:1`,
    calls: 0,
    prepare: async () => {
      step.calls++;
      if (step.calls <= failures) throw new Error(error);
    },
  };
  return step;
}

describe('DependencyState', () => {
  it('when dependencies are registered, then they are waited for until each is marked ready', () => {
    const state = new DependencyState(['mariadb', 'kafka']);
    expect(state.waitingFor()).toEqual(['mariadb', 'kafka']);
    state.failedAttempt('mariadb', new Error('refused'));
    expect(state.status('mariadb')).toEqual({ name: 'mariadb', phase: 'waiting', attempts: 1, lastError: 'refused' });
    state.markReady('mariadb');
    expect(state.waitingFor()).toEqual(['kafka']);
    expect(state.ready).toBe(false);
    state.markReady('kafka');
    expect(state.ready).toBe(true);
    expect(state.status('mariadb')).toMatchObject({ phase: 'ready', lastError: null });
  });

  it('when an unknown dependency is reported, then it throws naming it', () => {
    expect(() => new DependencyState().markReady('redis')).toThrow(/unknown dependency "redis"/);
  });
});

describe('waitForDependencies', () => {
  it('when a dependency comes up after a few attempts, then it is ready and each retry was logged naming it', async () => {
    const { logger, lines } = capturingLogger();
    const state = new DependencyState();
    const step = flakyStep('mariadb', 2);
    await waitForDependencies([step], { state, logger, timeoutMs: 5_000, backoff: fast });
    expect(step.calls).toBe(3);
    expect(state.ready).toBe(true);
    const waits = lines.filter((l) => l.level === 40);
    expect(waits.map((l) => l.msg)).toEqual([
      'waiting for mariadb (mariadb at 127.0.0.1:1): connect ECONNREFUSED 127.0.0.1:1',
      'waiting for mariadb (mariadb at 127.0.0.1:1): connect ECONNREFUSED 127.0.0.1:1',
    ]);
    expect(waits[0]).toMatchObject({ dependency: 'mariadb', attempt: 1 });
    expect(lines.at(-1)).toMatchObject({ msg: 'mariadb ready' });
  });

  it('when dependencies are listed, then they are prepared in order and all are waited for meanwhile', async () => {
    const { logger } = capturingLogger();
    const state = new DependencyState();
    const seen: string[][] = [];
    const steps: DependencyStep[] = ['elasticsearch', 'kafka'].map((dependency) => ({
      dependency,
      target: dependency,
      prepare: async () => void seen.push(state.waitingFor()),
    }));
    await waitForDependencies(steps, { state, logger, timeoutMs: 1_000, backoff: fast });
    expect(seen).toEqual([['elasticsearch', 'kafka'], ['kafka']]);
  });

  it('when a dependency never comes, then it fails after the timeout naming it, where, and the last error', async () => {
    const { logger } = capturingLogger();
    const state = new DependencyState();
    const attempt = waitForDependencies([flakyStep('postgres', Number.POSITIVE_INFINITY, 'password authentication failed')], {
      state,
      logger,
      timeoutMs: 100,
      backoff: fast,
    });
    await expect(attempt).rejects.toBeInstanceOf(StartupError);
    await expect(attempt).rejects.toThrow(
      'gave up waiting for postgres (postgres at 127.0.0.1:1) after 0.1 s (START_TIMEOUT_MS=100): password authentication failed',
    );
    expect(state.waitingFor()).toEqual(['postgres']);
    expect(state.status('postgres')?.attempts).toBeGreaterThan(1);
  });

  it('when an attempt hangs past the timeout, then the wait still ends on time', async () => {
    const { logger } = capturingLogger();
    const started = Date.now();
    const hanging: DependencyStep = { dependency: 'kafka', target: 'Kafka', prepare: () => new Promise(() => undefined) };
    await expect(waitForDependencies([hanging], { state: new DependencyState(), logger, timeoutMs: 200, backoff: fast })).rejects.toThrow(
      /gave up waiting for kafka \(Kafka\).*no answer within the start timeout/,
    );
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('when a failure is fatal, then it fails at once without retrying', async () => {
    const { logger } = capturingLogger();
    const step = Object.assign(flakyStep('mariadb', 5, 'migration 0001 changed'), { isFatal: () => true });
    await expect(waitForDependencies([step], { state: new DependencyState(), logger, timeoutMs: 60_000, backoff: fast })).rejects.toThrow(
      'cannot use mariadb (mariadb at 127.0.0.1:1): migration 0001 changed',
    );
    expect(step.calls).toBe(1);
  });

  it('when the signal aborts (a shutdown), then the wait stops with RetryAbortedError', async () => {
    const { logger } = capturingLogger();
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 20);
    const attempt = waitForDependencies([flakyStep('kafka', Number.POSITIVE_INFINITY)], {
      state: new DependencyState(),
      logger,
      timeoutMs: 60_000,
      signal: ctrl.signal,
      backoff: { initialMs: 5_000, maxMs: 5_000 },
    });
    await expect(attempt).rejects.toBeInstanceOf(RetryAbortedError);
  });
});

describe('thenStart', () => {
  it('when the step fails, then nothing starts; when an attempt succeeds, then the start runs after it, with the step kept as it was', async () => {
    const events: string[] = [];
    let attempts = 0;
    const step: DependencyStep = {
      dependency: 'postgres',
      target: 'PostgreSQL at 127.0.0.1:5432',
      prepare: () => {
        attempts += 1;
        events.push(`prepare ${attempts}`);
        return attempts === 1 ? Promise.reject(new Error('ECONNREFUSED')) : Promise.resolve('migrated');
      },
    };
    const chained = thenStart(step, () => events.push('start'));
    expect({ dependency: chained.dependency, target: chained.target }).toEqual({ dependency: 'postgres', target: 'PostgreSQL at 127.0.0.1:5432' });
    await expect(chained.prepare(new AbortController().signal)).rejects.toThrow('ECONNREFUSED');
    expect(await chained.prepare(new AbortController().signal)).toBe('migrated');
    expect(events).toEqual(['prepare 1', 'prepare 2', 'start']);
  });
});
