import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../test-support/redis.js';
import { startExpirySweeper } from './expiry-sweeper.js';

describe('startExpirySweeper', () => {
  it('when a step fills its batch, then the next step runs at once; when it does not, the sweeper waits for the interval', async () => {
    const due = ['a', 'b', 'c', 'd', 'e'];
    const calls: number[] = [];
    const sweeper = startExpirySweeper({
      expireDue: async (limit) => {
        calls.push(Date.now());
        return due.splice(0, limit);
      },
      logger: silentLogger,
      intervalMs: 10_000,
      batchSize: 2,
    });
    await sleep(100);
    await sweeper.stop();
    // 2 + 2 + 1: three steps back to back, then a wait longer than the test.
    expect(calls).toHaveLength(3);
    expect(due).toEqual([]);
  });

  it('when a step fails, then the sweeper keeps going at the next tick', async () => {
    let calls = 0;
    const sweeper = startExpirySweeper({
      expireDue: async () => {
        calls += 1;
        if (calls === 1) throw new Error('redis is down');
        return [];
      },
      logger: silentLogger,
      intervalMs: 20,
    });
    await sleep(150);
    await sweeper.stop();
    expect(calls).toBeGreaterThanOrEqual(3);
  });

  it('when stopped during its wait, then stop resolves without waiting out the interval', async () => {
    const sweeper = startExpirySweeper({ expireDue: async () => [], logger: silentLogger, intervalMs: 60_000 });
    await sleep(20);
    const t0 = Date.now();
    await sweeper.stop();
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});
