import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { backgroundFollower } from './batch-consumer.js';
import { createLogger } from './logger.js';

/** A consumer that records its calls; `start` fails `failures` times, then follows until aborted. */
function recordingConsumer(failures: number) {
  const calls = { start: 0, stop: 0 };
  return {
    calls,
    consumer: {
      start: async (signal?: AbortSignal) => {
        calls.start += 1;
        if (calls.start <= failures) throw new Error('There is no leader for this topic-partition');
        await new Promise<void>((resolve) => {
          if (signal?.aborted) resolve();
          else signal?.addEventListener('abort', () => resolve(), { once: true });
        });
      },
      stop: () => {
        calls.stop += 1;
        return Promise.resolve();
      },
    },
  };
}

function collectingLogger() {
  const lines: Array<{ msg: string; attempt?: number }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as { msg: string; attempt?: number });
      done();
    },
  });
  return { lines, logger: createLogger('test', 'info', {}, sink) };
}

describe('backgroundFollower', () => {
  it('when started twice, then the consumer starts once, and stop stops it without a failure', async () => {
    const { consumer, calls } = recordingConsumer(0);
    const failures: unknown[] = [];
    const following = backgroundFollower(consumer, { topic: 't', logger: collectingLogger().logger, waiting: 'waiting', fail: (e) => failures.push(e) });
    following.start();
    following.start();
    await following.stop();
    expect(calls).toEqual({ start: 1, stop: 1 });
    expect(failures).toEqual([]);
  });

  it('when Kafka is missing at first, then it logs the waiting message once and keeps trying until it follows', async () => {
    const { consumer, calls } = recordingConsumer(2);
    const { lines, logger } = collectingLogger();
    const failures: unknown[] = [];
    const following = backgroundFollower(consumer, { topic: 't', logger, waiting: 'cannot follow t yet', fail: (e) => failures.push(e) });
    following.start();
    await expect.poll(() => calls.start, { timeout: 10_000 }).toBe(3);
    await following.stop();
    expect(lines.filter((l) => l.msg === 'cannot follow t yet').map((l) => l.attempt)).toEqual([1]);
    expect(calls.stop).toBe(1);
    expect(failures).toEqual([]);
  });

  it('when stopped while waiting for Kafka, then the retrying start ends and nothing counts as a failure', async () => {
    const { consumer, calls } = recordingConsumer(Number.POSITIVE_INFINITY);
    const failures: unknown[] = [];
    const following = backgroundFollower(consumer, { topic: 't', logger: collectingLogger().logger, waiting: 'waiting', fail: (e) => failures.push(e) });
    following.start();
    await expect.poll(() => calls.start).toBeGreaterThanOrEqual(1);
    await following.stop();
    expect(calls.stop).toBe(1);
    expect(failures).toEqual([]);
  });
});
