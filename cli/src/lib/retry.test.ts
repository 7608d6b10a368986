import { describe, expect, it } from 'vitest';
import { pollUntil, retry } from './retry.js';
import { InterruptedError } from './steps.js';

class Busy extends Error {}

describe('retry', () => {
  it('when an attempt fails in a retryable way, then it is repeated until it succeeds', async () => {
    let calls = 0;
    const value = await retry(
      async () => {
        calls++;
        if (calls < 3) throw new Busy('busy');
        return 'done';
      },
      { timeoutMs: 5000, minDelayMs: 5, maxDelayMs: 20, shouldRetry: (err) => err instanceof Busy },
    );
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });

  it('when an attempt fails in another way, then that error is thrown at once', async () => {
    let calls = 0;
    const err = await retry(
      async () => {
        calls++;
        throw new Error('refused');
      },
      { timeoutMs: 5000, minDelayMs: 5, shouldRetry: (e) => e instanceof Busy },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe('refused');
    expect(calls).toBe(1);
  });

  it('when the deadline passes, then the last error is thrown, after about the deadline', async () => {
    const t0 = Date.now();
    const err = await retry(
      async () => {
        throw new Busy('still busy');
      },
      { timeoutMs: 200, minDelayMs: 20, maxDelayMs: 40, shouldRetry: (e) => e instanceof Busy },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Busy);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(190);
    expect(Date.now() - t0).toBeLessThan(2000);
  });
});

describe('pollUntil', () => {
  it('when the answer arrives, then it is returned', async () => {
    let n = 0;
    expect(await pollUntil(async () => (++n >= 3 ? n : undefined), { timeoutMs: 5000, minDelayMs: 5, onTimeout: () => new Error('timeout') })).toBe(3);
  });

  it('when the answer never arrives, then the error of onTimeout is thrown', async () => {
    const err = await pollUntil(async () => undefined, { timeoutMs: 100, minDelayMs: 10, onTimeout: () => new Error('not there in time') }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('not there in time');
  });

  it('when the question itself fails, then the wait ends at once with that error', async () => {
    let n = 0;
    const err = await pollUntil(
      async () => {
        n++;
        throw new Error('FAILED connector');
      },
      { timeoutMs: 5000, minDelayMs: 5, onTimeout: () => new Error('timeout') },
    ).catch((e: unknown) => e);
    expect((err as Error).message).toBe('FAILED connector');
    expect(n).toBe(1);
  });

  it('when the signal aborts during the wait, then it ends early with an InterruptedError (or what onAbort builds)', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 30);
    const t0 = Date.now();
    const err = await pollUntil(async () => undefined, { timeoutMs: 10_000, minDelayMs: 10, signal: controller.signal, onTimeout: () => new Error('timeout') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
    expect(Date.now() - t0).toBeLessThan(2000);
    const again = new AbortController();
    again.abort();
    const custom = await pollUntil(async () => undefined, { timeoutMs: 10_000, minDelayMs: 10, signal: again.signal, onAbort: () => new Error('stopped by you'), onTimeout: () => new Error('timeout') }).catch((e: unknown) => e);
    expect((custom as Error).message).toBe('stopped by you');
  });
});
