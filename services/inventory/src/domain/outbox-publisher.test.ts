import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../test-support/redis.js';
import type { ChangeRecord } from './inventory.js';
import { startOutboxPublisher, type ChangeSink, type OutboxEntry, type OutboxSource, type PublisherLease } from './outbox-publisher.js';

const record = (sku: string, version: number): ChangeRecord => ({ sku, onHand: 10 - version, reserved: 0, available: 10 - version, version, at: new Date(0).toISOString(), cause: 'restock' });

/** The outbox as a list: take returns the head, ack drops up to an id. */
class ListOutbox implements OutboxSource {
  readonly entries: OutboxEntry[];
  acks: string[] = [];

  constructor(records: ChangeRecord[]) {
    this.entries = records.map((r, i) => ({ id: `${i + 1}-0`, record: r }));
  }

  async take(count: number, waitMs: number): Promise<OutboxEntry[]> {
    if (this.entries.length === 0) await sleep(Math.min(waitMs, 5));
    return this.entries.slice(0, count);
  }

  async ack(id: string): Promise<void> {
    this.acks.push(id);
    const at = this.entries.findIndex((e) => e.id === id);
    this.entries.splice(0, at + 1);
  }
}

/** A lease that a test hands out and takes back. */
class SwitchLease implements PublisherLease {
  released = false;
  constructor(public held: boolean) {}
  async hold(): Promise<boolean> {
    return this.held;
  }
  async release(): Promise<void> {
    this.released = true;
    this.held = false;
  }
}

/** Records what was published; `failNext` makes the next publishes fail as a fenced or unreachable Kafka would. */
class MemorySink implements ChangeSink {
  isOpen = false;
  opens = 0;
  failNext = 0;
  readonly published: ChangeRecord[][] = [];

  async open(): Promise<void> {
    this.opens += 1;
    this.isOpen = true;
  }

  async publish(records: readonly ChangeRecord[]): Promise<void> {
    if (!this.isOpen) throw new Error('not open');
    if (this.failNext > 0) {
      this.failNext -= 1;
      this.isOpen = false;
      throw new Error('The producer has been fenced');
    }
    this.published.push([...records]);
  }

  async close(): Promise<void> {
    this.isOpen = false;
  }
}

async function until(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

const options = { logger: silentLogger, waitMs: 5, retryMs: 5 };

describe('startOutboxPublisher', () => {
  it('when entries wait and the lease is held, then they are published in order, in batches, each acknowledged after it was published', async () => {
    const outbox = new ListOutbox([record('A', 1), record('B', 1), record('A', 2), record('C', 1), record('A', 3)]);
    const sink = new MemorySink();
    const publisher = startOutboxPublisher({ outbox, lease: new SwitchLease(true), sink, batchSize: 2, ...options });
    await until(() => outbox.entries.length === 0);
    await publisher.stop();
    expect(sink.published.map((batch) => batch.map((r) => `${r.sku}${r.version}`))).toEqual([['A1', 'B1'], ['A2', 'C1'], ['A3']]);
    expect(outbox.acks).toEqual(['2-0', '4-0', '5-0']);
    expect(publisher.stats()).toMatchObject({ role: 'stopped', published: 5, batches: 3, failures: 0 });
  });

  it('when changes follow each other within the batch interval, then the first goes at once and the rest wait to go together in one batch', async () => {
    const outbox = new ListOutbox([record('A', 1)]);
    const sink = new MemorySink();
    const publisher = startOutboxPublisher({ outbox, lease: new SwitchLease(true), sink, ...options, batchIntervalMs: 300 });
    await until(() => sink.published.length === 1);
    // Three changes in quick succession, well inside the interval that began with the first batch.
    for (const [i, r] of [record('B', 1), record('A', 2), record('C', 1)].entries()) {
      outbox.entries.push({ id: `${i + 2}-0`, record: r });
      await sleep(20);
    }
    await until(() => outbox.entries.length === 0);
    await publisher.stop();
    expect(sink.published.map((batch) => batch.map((r) => `${r.sku}${r.version}`))).toEqual([['A1'], ['B1', 'A2', 'C1']]);
    expect(outbox.acks).toEqual(['1-0', '4-0']);
  });

  it('when a publish fails, then nothing is acknowledged and the same entries go again, in the same order, through a sink opened anew', async () => {
    const outbox = new ListOutbox([record('A', 1), record('A', 2)]);
    const sink = new MemorySink();
    sink.failNext = 2;
    const publisher = startOutboxPublisher({ outbox, lease: new SwitchLease(true), sink, ...options });
    await until(() => outbox.entries.length === 0);
    await publisher.stop();
    expect(sink.published).toEqual([[record('A', 1), record('A', 2)]]);
    expect(outbox.acks).toEqual(['2-0']);
    expect(sink.opens).toBe(3);
    expect(publisher.stats().failures).toBe(2);
  });

  it('when another instance holds the lease, then nothing is published and no producer is opened; once it is free, this one takes over', async () => {
    const outbox = new ListOutbox([record('A', 1)]);
    const sink = new MemorySink();
    const lease = new SwitchLease(false);
    const publisher = startOutboxPublisher({ outbox, lease, sink, ...options });
    await sleep(50);
    expect(publisher.stats().role).toBe('standby');
    expect(sink.opens).toBe(0);
    expect(outbox.entries).toHaveLength(1);
    lease.held = true;
    await until(() => outbox.entries.length === 0);
    expect(publisher.stats().role).toBe('leader');
    await publisher.stop();
    expect(sink.published).toEqual([[record('A', 1)]]);
  });

  it('when the lease is lost while publishing, then the producer is closed and the instance stands by', async () => {
    const outbox = new ListOutbox([]);
    const sink = new MemorySink();
    const lease = new SwitchLease(true);
    const publisher = startOutboxPublisher({ outbox, lease, sink, ...options });
    await until(() => publisher.stats().role === 'leader');
    lease.held = false;
    await until(() => publisher.stats().role === 'standby');
    expect(sink.isOpen).toBe(false);
    await publisher.stop();
  });

  it('when stopped, then the producer is closed and the lease given up at once for the next instance', async () => {
    const sink = new MemorySink();
    const lease = new SwitchLease(true);
    const publisher = startOutboxPublisher({ outbox: new ListOutbox([]), lease, sink, ...options });
    await until(() => sink.isOpen);
    await publisher.stop();
    expect(sink.isOpen).toBe(false);
    expect(lease.released).toBe(true);
  });
});
