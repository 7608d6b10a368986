import { describe, expect, it } from 'vitest';
import { describeError, retry, RetryAbortedError, RetryTimeoutError } from './retry.js';

const fast = { initialMs: 1, maxMs: 2 };

/** The moments each attempt started, relative to the first. */
async function attemptTimes(backoff: { initialMs: number; maxMs: number; jitter?: boolean }, attempts: number): Promise<number[]> {
  const times: number[] = [];
  const started = performance.now();
  await retry(
    async (attempt) => {
      times.push(performance.now() - started);
      if (attempt < attempts) throw new Error('not yet');
    },
    { what: 'work', backoff },
  );
  return times;
}

const gaps = (times: number[]) => times.slice(1).map((t, i) => t - times[i]!);

describe('retry', () => {
  it('when the work fails a few times then succeeds, then its result is returned', async () => {
    const seen: number[] = [];
    const result = await retry(
      async (attempt) => {
        if (attempt < 3) throw new Error(`no ${attempt}`);
        return 'ok';
      },
      { what: 'work', timeoutMs: 5_000, backoff: fast, onRetry: ({ attempt }) => seen.push(attempt) },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([1, 2]);
  });

  it('when the work keeps failing past the timeout, then it rejects naming the work and the last cause', async () => {
    const attempt = retry(
      async () => {
        throw new Error('connection refused');
      },
      { what: 'reach Kafka', timeoutMs: 50, backoff: { initialMs: 5, maxMs: 10 } },
    );
    await expect(attempt).rejects.toBeInstanceOf(RetryTimeoutError);
    await expect(attempt).rejects.toThrow(/^reach Kafka: still failing after \d+ attempts \(connection refused\)$/);
  });

  it('when the retries run out, then it rejects after exactly that many retries', async () => {
    let calls = 0;
    const attempt = retry(
      async () => {
        calls++;
        throw new Error('busy');
      },
      { what: 'send offsets', retries: 3, backoff: fast },
    );
    await expect(attempt).rejects.toThrow(/^send offsets: still failing after 4 attempts \(busy\)$/);
    expect(calls).toBe(4);
  });

  it('when the signal aborts, then it stops retrying at once', async () => {
    const ctrl = new AbortController();
    setTimeout(() => ctrl.abort(), 10);
    const started = Date.now();
    const attempt = retry(
      async () => {
        throw new Error('down');
      },
      { what: 'reach Elasticsearch', timeoutMs: 60_000, backoff: { initialMs: 5_000, maxMs: 5_000 }, signal: ctrl.signal },
    );
    await expect(attempt).rejects.toBeInstanceOf(RetryAbortedError);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('when retryIf declines an error, then that error is rethrown unchanged without a retry', async () => {
    const fatal = new Error('checksum mismatch');
    let calls = 0;
    const attempt = retry(
      async () => {
        calls++;
        throw fatal;
      },
      { what: 'migrate', backoff: fast, retryIf: (err) => err !== fatal },
    );
    await expect(attempt).rejects.toBe(fatal);
    expect(calls).toBe(1);
  });

  it('when the work throws a TypeError or a non-Error, then it is retried like any failure', async () => {
    const thrown: unknown[] = [new TypeError('fetch failed'), 'plain text'];
    const seen: unknown[] = [];
    const result = await retry(
      async (attempt) => {
        if (attempt <= thrown.length) throw thrown[attempt - 1];
        return attempt;
      },
      { what: 'work', backoff: fast, onRetry: ({ error }) => seen.push(error) },
    );
    expect(result).toBe(3);
    expect(seen).toEqual(thrown);
  });

  it('when attempts accumulate, then the wait doubles up to the cap', async () => {
    const waits = gaps(await attemptTimes({ initialMs: 40, maxMs: 160, jitter: false }, 5));
    // Timers never fire early; a loaded machine may fire them late, hence the generous upper bounds.
    const expected = [40, 80, 160, 160];
    waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThanOrEqual(expected[i]! - 2);
      expect(wait).toBeLessThan(expected[i]! + 150);
    });
  });

  it('when jitter is on, then each wait stays between one and two times the base', async () => {
    const waits = gaps(await attemptTimes({ initialMs: 60, maxMs: 60 }, 4));
    for (const wait of waits) {
      expect(wait).toBeGreaterThanOrEqual(58);
      expect(wait).toBeLessThan(120 + 150);
    }
  });
});

describe('describeError', () => {
  it('when an error has no message, then its code or name is used; an AggregateError lists its parts', () => {
    expect(describeError(Object.assign(new Error(''), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
    expect(describeError(new AggregateError([new Error('a'), new Error('b')], ''))).toBe('a; b');
    expect(describeError('text')).toBe('text');
  });
});
