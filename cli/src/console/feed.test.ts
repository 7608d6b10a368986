import { describe, expect, it } from 'vitest';
import type { Overview } from '../ops/overview.js';
import { type FeedEvent, OverviewFeed } from './feed.js';

const overview = (n: number) => ({ at: String(n) }) as unknown as Overview;
const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('OverviewFeed', () => {
  it('when nobody listens, then nothing is collected; when pages listen, one collection serves them all', async () => {
    let collected = 0;
    const feed = new OverviewFeed(async () => overview(++collected), () => ({ error: 'x', message: 'x' }), 30);
    await tick(80);
    expect(collected).toBe(0);
    const a: FeedEvent[] = [];
    const b: FeedEvent[] = [];
    const stopA = feed.subscribe((e) => a.push(e));
    const stopB = feed.subscribe((e) => b.push(e));
    await tick(100);
    stopA();
    stopB();
    const after = collected;
    await tick(100);
    expect(collected).toBe(after);
    expect(after).toBeGreaterThanOrEqual(2);
    expect(a.length).toBe(after);
    expect(b.length).toBe(after);
  });

  it('when a page opens soon after a collection, then it gets that overview at once', async () => {
    const feed = new OverviewFeed(async () => overview(1), () => ({ error: 'x', message: 'x' }), 1000);
    const first: FeedEvent[] = [];
    const stop = feed.subscribe((e) => first.push(e));
    await tick(20);
    const second: FeedEvent[] = [];
    const stop2 = feed.subscribe((e) => second.push(e));
    expect(second).toEqual(first);
    stop();
    stop2();
  });

  it('when a collection fails, then listeners get the described problem, and the next round tries again', async () => {
    let n = 0;
    const feed = new OverviewFeed(
      async () => {
        if (++n === 1) throw new Error('Kafka is down');
        return overview(n);
      },
      (err) => ({ error: 'unavailable', message: (err as Error).message }),
      20,
    );
    const seen: FeedEvent[] = [];
    const stop = feed.subscribe((e) => seen.push(e));
    await tick(80);
    stop();
    expect(seen[0]).toEqual({ type: 'problem', problem: { error: 'unavailable', message: 'Kafka is down' } });
    expect(seen[1]?.type).toBe('overview');
  });
});
