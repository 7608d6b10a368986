import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@oms/service-kit';
import type { ChangeRecord } from './inventory.js';

/** A change record waiting in the outbox, with the id that acknowledges it. */
export interface OutboxEntry {
  id: string;
  record: ChangeRecord;
}

/** The outbox as the publisher sees it (the Redis stream: data/redis-outbox.ts). */
export interface OutboxSource {
  /** The oldest `count` unpublished entries, waiting up to `waitMs` for one when there are none. */
  take(count: number, waitMs: number): Promise<OutboxEntry[]>;
  /** Forgets every entry up to and including `id`. */
  ack(id: string): Promise<void>;
}

/** Who may publish (data/redis-lease.ts). */
export interface PublisherLease {
  /** Takes or renews the lease; true while this instance holds it. */
  hold(): Promise<boolean>;
  release(): Promise<void>;
}

/** Where records go (kafka/change-sink.ts): opened only while holding the lease, it fences earlier holders. */
export interface ChangeSink {
  readonly isOpen: boolean;
  open(): Promise<void>;
  /** All records or none; after a failure the sink is closed and must be opened again. */
  publish(records: readonly ChangeRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface OutboxPublisherOptions {
  outbox: OutboxSource;
  lease: PublisherLease;
  sink: ChangeSink;
  logger: Logger;
  /** Entries per batch (one Kafka transaction). */
  batchSize?: number;
  /**
   * How long one wait for new entries lasts. The lease is renewed between waits, so this must
   * stay well below the lease's TTL.
   */
  waitMs?: number;
  /** Pause after a failure, and between attempts to take the lease while another instance holds it. */
  retryMs?: number;
  /**
   * Least time between the starts of two batches. A change that follows a quiet spell is
   * published at once; under load the changes of this interval wait for one transaction
   * together instead of one each (see docs/architecture.md, Tuning). 0: no spacing.
   */
  batchIntervalMs?: number;
}

/** What the publisher did so far (for logs and tests). */
export interface PublisherStats {
  /** `leader`: holds the lease and publishes; `standby`: another instance does. */
  role: 'starting' | 'leader' | 'standby' | 'stopped';
  published: number;
  batches: number;
  failures: number;
}

/** A running publisher; `stop()` resolves once the batch in progress finished and the lease is given up. */
export interface OutboxPublisher {
  stats(): PublisherStats;
  stop(): Promise<void>;
}

/**
 * Moves the outbox to Kafka: take the oldest entries, publish them in one transaction, then
 * acknowledge them (which trims them from the outbox). At least once: a crash between publish
 * and ack publishes the batch again, which is harmless because each record is its SKU's whole
 * state with a version. One instance publishes at a time, so a SKU's records reach the topic in
 * the order of its changes: the lease says who; the sink's transactional id makes Kafka refuse
 * a former holder that stalled past its lease. A failure (Redis or Kafka down) is logged once,
 * retried every `retryMs`; nothing is lost meanwhile, the entries wait in the outbox.
 */
export function startOutboxPublisher({ outbox, lease, sink, logger, batchSize = 500, waitMs = 1000, retryMs = 1000, batchIntervalMs = 0 }: OutboxPublisherOptions): OutboxPublisher {
  const controller = new AbortController();
  // When the last batch began (ms, monotonic): the next one waits out batchIntervalMs from it.
  let lastBatchAt = -Infinity;
  const stats: PublisherStats = { role: 'starting', published: 0, batches: 0, failures: 0 };
  let failing = '';
  const pause = (ms: number) => sleep(ms, undefined, { signal: controller.signal }).catch(() => undefined);

  const step = async (): Promise<void> => {
    if (!(await lease.hold())) {
      if (stats.role !== 'standby') logger.info('another instance publishes the outbox; standing by');
      stats.role = 'standby';
      if (sink.isOpen) await sink.close();
      await pause(retryMs);
      return;
    }
    if (!sink.isOpen) await sink.open();
    if (stats.role !== 'leader') logger.info('publishing the outbox to Kafka');
    stats.role = 'leader';
    let entries = await outbox.take(batchSize, waitMs);
    if (entries.length === 0 || controller.signal.aborted) return;
    const spacing = lastBatchAt + batchIntervalMs - performance.now();
    if (spacing > 0 && entries.length < batchSize) {
      // Busy: let the interval's other changes join this batch. The lease outlives the pause
      // (batchIntervalMs stays far below its TTL), and a take of entries present never blocks.
      // Stopping cuts the pause short: the batch still goes out before stop() resolves.
      await pause(spacing);
      entries = await outbox.take(batchSize, waitMs);
      if (entries.length === 0) return;
    }
    lastBatchAt = performance.now();
    await sink.publish(entries.map((e) => e.record));
    await outbox.ack(entries.at(-1)!.id);
    stats.published += entries.length;
    stats.batches += 1;
    logger.debug({ records: entries.length }, 'published change records');
  };

  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        await step();
        if (failing) logger.info('outbox publishing works again');
        failing = '';
      } catch (err) {
        stats.failures += 1;
        // While Kafka or Redis is down every attempt fails the same way: say so once.
        const message = err instanceof Error ? err.message : String(err);
        if (message !== failing) logger.warn({ err }, 'publishing the outbox failed; the entries wait in Redis, retrying');
        failing = message;
        await pause(retryMs);
      }
    }
  })();

  return {
    stats: () => ({ ...stats }),
    async stop() {
      controller.abort();
      await loop;
      stats.role = 'stopped';
      await sink.close().catch((err: unknown) => logger.warn({ err }, 'closing the Kafka producer failed'));
      // The next instance need not wait out the lease.
      await lease.release().catch(() => undefined);
    },
  };
}
