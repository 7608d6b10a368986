import { describe, expect, it } from 'vitest';
import { percentile, runLoad, summariseLoad, type PlaceOrder, type VisibilityWatcher } from './load.js';

/** A watcher that sees every order `delayMs` after it was accepted (the read model's hop, faked). */
function delayedWatcher(delayMs: (id: string) => number): VisibilityWatcher {
  let pending = 0;
  return {
    watch(id, _createdAt, seen) {
      pending++;
      setTimeout(() => {
        pending--;
        seen(performance.now());
      }, delayMs(id));
    },
    get pending() {
      return pending;
    },
    stop: async () => undefined,
  };
}

describe('runLoad', () => {
  it('when run at 50/s for 1 s, then 50 orders are sent on schedule and each outcome has its id, status and times', async () => {
    const place: PlaceOrder = async (seq) => ({ status: 201, id: `o-${seq}` });
    const result = await runLoad({ rate: 50, durationS: 1, place, watcher: delayedWatcher(() => 20) });
    expect(result.orders).toHaveLength(50);
    expect(result.orders.map((o) => o.seq)).toEqual([...Array(50).keys()]);
    // open loop: order n leaves at n × 20 ms, give or take a timer tick
    expect(result.orders[49]!.sentAtMs).toBeGreaterThanOrEqual(49 * 20 - 5);
    for (const o of result.orders) {
      expect(o.id).toBe(`o-${o.seq}`);
      expect(o.status).toBe(201);
      expect(o.visibleMs).toBeGreaterThanOrEqual(19);
    }
    const summary = summariseLoad(result);
    expect(summary).toMatchObject({ sent: 50, accepted: 50, refused: 0, notVisible: 0, flat: true });
  });

  it('when some orders are refused or get no answer, then they are counted by status and never watched', async () => {
    const place: PlaceOrder = async (seq) => (seq % 5 === 0 ? { status: 422, error: 'out of stock' } : seq % 7 === 0 ? Promise.reject(new Error('ECONNREFUSED')) : { status: 201, id: `o-${seq}` });
    const result = await runLoad({ rate: 100, durationS: 0.2, place, watcher: delayedWatcher(() => 1) });
    const summary = summariseLoad(result);
    expect(summary.sent).toBe(20);
    expect(summary.refusals).toEqual({ '422': 4, 'no answer': 2 });
    expect(summary.accepted).toBe(14);
    expect(result.orders.find((o) => o.seq === 7)?.error).toBe('ECONNREFUSED');
  });

  it('when latency climbs through the run, then the lag is reported as growing', async () => {
    const place: PlaceOrder = async (seq) => ({ status: 201, id: String(seq) });
    const result = await runLoad({ rate: 60, durationS: 0.5, place, watcher: delayedWatcher((id) => 5 + Number(id) * 10) });
    expect(summariseLoad(result).flat).toBe(false);
  });

  it('when the signal is aborted, then sending stops early and what was sent is reported', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const result = await runLoad({ rate: 100, durationS: 5, place: async (seq) => ({ status: 201, id: String(seq) }), signal: controller.signal });
    expect(result.orders.length).toBeGreaterThan(3);
    expect(result.orders.length).toBeLessThan(100);
  });
});

describe('percentile', () => {
  it('when asked for p50 and p99 of 1..100, then it answers by nearest rank; of nothing, NaN', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile([], 50)).toBeNaN();
  });
});
