import { describe, expect, it } from 'vitest';
import { backoffDelay, pause, retryUntil, RetryAbortedError, RetryTimeoutError } from './retry.js';

const backoff = { initialMs: 100, maxMs: 1_000 };
const middle = () => 0.5;

describe('backoffDelay', () => {
  it('when attempts accumulate, then the delay doubles up to the cap', () => {
    expect([1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, backoff, middle))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('when jitter is drawn, then the delay stays within ±20 %', () => {
    expect(backoffDelay(3, backoff, () => 0)).toBe(320);
    expect(backoffDelay(3, backoff, () => 1)).toBe(480);
  });
});

describe('pause', () => {
  it('when the signal aborts during the wait, then it returns false early', async () => {
    const ctrl = new AbortController();
    const started = Date.now();
    setTimeout(() => ctrl.abort(), 10);
    expect(await pause(5_000, ctrl.signal)).toBe(false);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('when nothing aborts, then it returns true', async () => {
    expect(await pause(1)).toBe(true);
  });
});

describe('retryUntil', () => {
  it('when the work fails a few times then succeeds, then its result is returned', async () => {
    const seen: number[] = [];
    const result = await retryUntil(
      async (attempt) => {
        if (attempt < 3) throw new Error(`no ${attempt}`);
        return 'ok';
      },
      { what: 'work', timeoutMs: 5_000, backoff: { initialMs: 1, maxMs: 2 }, onRetry: ({ attempt }) => seen.push(attempt) },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2]);
  });

  it('when the work keeps failing past the timeout, then it rejects naming the work and the last cause', async () => {
    const attempt = retryUntil(
      async () => {
        throw new Error('connection refused');
      },
      { what: 'reach Kafka', timeoutMs: 50, backoff: { initialMs: 5, maxMs: 10 } },
    );
    await expect(attempt).rejects.toBeInstanceOf(RetryTimeoutError);
    await expect(attempt).rejects.toThrow(/^reach Kafka: still failing after \d+ attempts \(connection refused\)$/);
  });

  it('when the signal aborts, then it stops retrying at once', async () => {
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 10);
    const attempt = retryUntil(
      async () => {
        throw new Error('down');
      },
      { what: 'reach Elasticsearch', timeoutMs: 60_000, backoff: { initialMs: 5_000, maxMs: 5_000 }, signal: ctrl.signal },
    );
    await expect(attempt).rejects.toBeInstanceOf(RetryAbortedError);
  });
});
