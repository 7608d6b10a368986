import { describeError, retry, RetryAbortedError, type Backoff, type Logger } from '@oms/service-kit';
import { kafkaLogCreator, kafkaLogLevel } from '@oms/service-kit/kafka';
import { Kafka, logLevel, type Consumer, type EachBatchPayload } from 'kafkajs';
import type { ProductRepository } from '../data/product-repository.js';
import { reduceBatch, splitFailures, type BatchActions } from './batch-actions.js';

export interface ProductIndexerOptions {
  brokers: string[];
  groupId: string;
  topic: string;
  /** Where products go; only the bulk writes are used. */
  products: Pick<ProductRepository, 'bulkUpsert' | 'bulkDelete'>;
  logger: Logger;
  clientId?: string;
  /** How long one {@link ProductIndexer.start} waits for the first group join (default 60 s). */
  joinTimeoutMs?: number;
  /** Backoff between attempts to write a batch while Elasticsearch fails. */
  writeBackoff?: Backoff;
  /**
   * Longest a fetch waits on an idle topic (default 50 ms). Arriving data ends the wait anyway
   * (minBytes 1); a short wait keeps heartbeats, shutdown and rebalances prompt.
   */
  maxWaitTimeInMs?: number;
  /**
   * Called when the consumer stopped for good after it had started (a crash kafkajs will not
   * restart). The indexer cannot recover by itself; the server exits so a supervisor can.
   */
  onFatal?: (error: Error) => void;
}

/**
 * - `starting`: connecting, subscribing, joining the group;
 * - `consuming`: in the group and fetching (also while a batch waits for Elasticsearch, see `retrying`);
 * - `restarting`: kafkajs is re-creating the consumer after a retriable crash;
 * - `stopped` / `crashed`: not consuming and not coming back.
 */
export type IndexerStatus = 'idle' | 'starting' | 'consuming' | 'restarting' | 'stopping' | 'stopped' | 'crashed';

/** What `/health` and `/health/indexer` report. */
export interface IndexerHealth {
  status: IndexerStatus;
  topic: string;
  groupId: string;
  /** Partitions this instance owns. */
  partitions: number[];
  /** Records behind the high watermark, summed over owned partitions, as of the last batch of each; null before any batch. */
  lag: number | null;
  lagByPartition: Record<string, number>;
  /** Set while a batch cannot be written (Elasticsearch down or overloaded); its offsets are not committed meanwhile. */
  retrying: { partitions: number[]; attempt: number; since: string; error: string } | null;
  totals: { batches: number; records: number; upserted: number; deleted: number; rejected: number; skippedByElasticsearch: number };
  lastError: string | null;
}

interface RetryState {
  attempt: number;
  since: Date;
  error: string;
}

const DEFAULT_WRITE_BACKOFF: Backoff = { initialMs: 250, maxMs: 10_000 };
/** Heartbeat while a slow bulk request is in flight; kafkajs heartbeats only when asked. */
const HEARTBEAT_EVERY_MS = 3_000;

/**
 * Kafka → Elasticsearch indexer for the compacted `products` topic. Each partition batch is
 * reduced to one action per SKU ({@link reduceBatch}), written with one bulk upsert and one
 * bulk delete, and only then committed. Writes are by SKU with full-document `index`, so a
 * replay converges to the same index; records that can never be indexed are logged and
 * skipped; when Elasticsearch fails, the batch is retried in place with backoff and nothing
 * is committed until it succeeds.
 */
export class ProductIndexer {
  private readonly kafka: Kafka;
  private readonly probe: Kafka;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private consumer: Consumer | undefined;
  private starting: Promise<void> | undefined;
  private status: IndexerStatus = 'idle';
  private partitions: number[] = [];
  private readonly lag = new Map<number, number>();
  private readonly retrying = new Map<number, RetryState>();
  private readonly totals = { batches: 0, records: 0, upserted: 0, deleted: 0, rejected: 0, skippedByElasticsearch: 0 };
  private lastError: string | null = null;

  constructor(private readonly options: ProductIndexerOptions) {
    this.log = options.logger.child({ component: 'indexer', topic: options.topic, groupId: options.groupId });
    const base = {
      clientId: options.clientId ?? 'products-indexer',
      brokers: options.brokers,
      connectionTimeout: 3_000,
      logLevel: kafkaLogLevel(options.logger.level),
      logCreator: kafkaLogCreator(this.log),
    };
    this.kafka = new Kafka(base);
    // The start-up probe fails fast and quietly: the service's start-up policy paces the
    // attempts and logs one line each. The consumer keeps kafkajs' patient defaults for
    // outages it meets while running.
    this.probe = new Kafka({ ...base, retry: { retries: 1 }, logLevel: logLevel.NOTHING });
  }

  /** True when the consumer is in its group and fetching: what `/health` requires. */
  get ready(): boolean {
    return this.status === 'consuming';
  }

  health(): IndexerHealth {
    const owned = this.partitions.filter((p) => this.lag.has(p));
    const lagByPartition = Object.fromEntries(owned.map((p) => [String(p), this.lag.get(p) ?? 0]));
    const retrying = [...this.retrying.entries()];
    const worst = retrying.reduce<[number, RetryState] | undefined>((a, b) => (!a || b[1].attempt > a[1].attempt ? b : a), undefined);
    return {
      status: this.status,
      topic: this.options.topic,
      groupId: this.options.groupId,
      partitions: [...this.partitions],
      lag: owned.length > 0 ? owned.reduce((sum, p) => sum + (this.lag.get(p) ?? 0), 0) : null,
      lagByPartition,
      retrying: worst
        ? { partitions: retrying.map(([p]) => p).sort((a, b) => a - b), attempt: worst[1].attempt, since: worst[1].since.toISOString(), error: worst[1].error }
        : null,
      totals: { ...this.totals },
      lastError: this.lastError,
    };
  }

  /**
   * One attempt to connect, check the topic exists and join the group; resolves once the
   * consumer is fetching, rejects (leaving nothing running) when Kafka cannot be reached, the
   * topic is missing, or no join happens within `joinTimeoutMs` or before `signal` aborts. The
   * service's start-up policy retries it. A new group starts from the earliest offset: the
   * compacted topic is the source of truth and the index is rebuilt from it.
   */
  start(signal?: AbortSignal): Promise<void> {
    this.starting ??= this.startOnce(signal).finally(() => {
      this.starting = undefined;
    });
    return this.starting;
  }

  /** Leaves the group after the batch in flight (a retry wait is cut short; its offsets stay uncommitted). */
  async stop(): Promise<void> {
    if (this.status === 'stopped') return;
    this.status = 'stopping';
    this.abort.abort();
    await this.starting?.catch(() => {});
    await this.consumer?.disconnect().catch((err: unknown) => this.log.warn({ err }, 'error while disconnecting the consumer'));
    this.consumer = undefined;
    this.status = 'stopped';
    this.log.info('indexer stopped');
  }

  private async startOnce(signal?: AbortSignal): Promise<void> {
    if (this.status === 'consuming') return;
    try {
      await this.connectAndJoin(signal ? AbortSignal.any([signal, this.abort.signal]) : this.abort.signal);
    } catch (err) {
      // Leave nothing half-running behind a failed attempt; the caller decides whether to retry.
      await this.consumer?.disconnect().catch(() => {});
      this.consumer = undefined;
      if (this.status !== 'stopping') this.status = 'starting';
      this.lastError = describeError(err);
      throw err;
    }
  }

  private async connectAndJoin(signal: AbortSignal): Promise<void> {
    const { joinTimeoutMs = 60_000 } = this.options;
    this.status = 'starting';
    const consumer = await this.connectAndSubscribe();
    this.consumer = consumer;
    if (signal.aborted) throw new RetryAbortedError('start the indexer');

    const joined = this.watch(consumer);
    await consumer.run({
      eachBatch: (payload) => this.handleBatch(payload),
      // Offsets move only when a batch has been written; see handleBatch.
      eachBatchAutoResolve: false,
      autoCommit: true,
      autoCommitThreshold: 1,
      // SKUs never cross partitions (the key picks the partition), so partitions can be written in parallel.
      partitionsConsumedConcurrently: 3,
    });
    await joined.wait(joinTimeoutMs, signal);
    this.log.info({ partitions: this.partitions }, 'indexer consuming');
  }

  private async connectAndSubscribe(): Promise<Consumer> {
    const { topic, groupId, maxWaitTimeInMs = 50 } = this.options;
    const admin = this.probe.admin();
    try {
      await admin.connect();
      const topics = await admin.listTopics();
      // Auto-creation is off on our brokers; say so instead of kafkajs' generic metadata error.
      if (!topics.includes(topic)) throw new Error(`topic "${topic}" does not exist (create it with \`oms topics create\`)`);
    } finally {
      await admin.disconnect().catch(() => {});
    }
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs, allowAutoTopicCreation: false });
    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      return consumer;
    } catch (err) {
      await consumer.disconnect().catch(() => {});
      throw err;
    }
  }

  /** Tracks group membership and crashes; `wait` resolves on the first join. */
  private watch(consumer: Consumer): { wait: (timeoutMs: number, signal: AbortSignal) => Promise<void> } {
    let settle: { resolve: () => void; reject: (err: Error) => void } | undefined;
    let outcome: { ok: true } | { ok: false; error: Error } | undefined;
    const finish = (result: { ok: true } | { ok: false; error: Error }) => {
      outcome ??= result;
      if (settle) {
      if (result.ok) settle.resolve();
      else settle.reject(result.error);
    }
    };

    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.partitions = [...(payload.memberAssignment[this.options.topic] ?? [])].sort((a, b) => a - b);
      for (const p of [...this.lag.keys()]) if (!this.partitions.includes(p)) this.lag.delete(p);
      if (this.status !== 'stopping') this.status = 'consuming';
      this.log.info({ partitions: this.partitions, memberId: payload.memberId }, 'joined the consumer group');
      finish({ ok: true });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.lastError = describeError(payload.error);
      if (this.status === 'stopping') return;
      if (payload.restart) {
        this.status = 'restarting';
        this.log.warn({ error: this.lastError }, 'consumer crashed; kafkajs restarts it');
        return;
      }
      this.status = 'crashed';
      this.log.error({ error: this.lastError }, 'consumer crashed and will not restart');
      const wasStarted = outcome?.ok === true;
      finish({ ok: false, error: payload.error });
      if (wasStarted) this.options.onFatal?.(payload.error);
    });

    return {
      wait: (timeoutMs, signal) =>
        new Promise<void>((resolve, reject) => {
          if (outcome) {
            if (outcome.ok) resolve();
            else reject(outcome.error);
            return;
          }
          if (signal.aborted) {
            reject(new RetryAbortedError('join the consumer group'));
            return;
          }
          const timer = setTimeout(
            () => reject(new Error(`did not join consumer group "${this.options.groupId}" within ${timeoutMs} ms${this.lastError ? ` (${this.lastError})` : ''}`)),
            timeoutMs,
          );
          const onAbort = () => reject(new RetryAbortedError('join the consumer group'));
          signal.addEventListener('abort', onAbort, { once: true });
          settle = {
            resolve: () => {
              clearTimeout(timer);
              signal.removeEventListener('abort', onAbort);
              resolve();
            },
            reject: (err) => {
              clearTimeout(timer);
              signal.removeEventListener('abort', onAbort);
              reject(err);
            },
          };
        }),
    };
  }

  // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs's payload functions are closures; its types declare them as methods
  private async handleBatch({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    this.lag.set(partition, Number(batch.offsetLagLow()));
    const actions = reduceBatch(batch.messages);
    for (const r of actions.rejected) {
      this.log.warn({ partition, offset: r.offset, key: r.key, reason: r.reason }, 'skipping a product record that cannot be indexed');
    }

    const written = await this.write(partition, actions, { heartbeat, isRunning, isStale });
    // Stopping, or the partition moved to another member: leave the offsets for whoever reads next.
    if (!written) return;

    resolveOffset(batch.lastOffset());
    await commitOffsetsIfNecessary();
    await heartbeat();
    this.lag.set(partition, Number(batch.offsetLag()));
    this.totals.batches += 1;
    this.totals.records += batch.messages.length;
    this.totals.rejected += actions.rejected.length;
    this.log.debug(
      { partition, records: batch.messages.length, upserts: actions.upserts.length, deletes: actions.deletes.length, rejected: actions.rejected.length, lastOffset: batch.lastOffset() },
      'batch indexed',
    );
  }

  /**
   * Writes the batch's actions, retrying in place (the shared retry, `writeBackoff`) until they
   * succeed. Retrying here instead of throwing to kafkajs keeps the consumer in its group
   * (kafkajs would give up after a few retries and restart the whole consumer). Returns false,
   * with nothing written for sure, if the consumer stops or loses the partition; a failed
   * heartbeat between attempts (a rebalance) propagates so kafkajs rejoins without committing.
   */
  private async write(
    partition: number,
    actions: BatchActions,
    ctx: Pick<EachBatchPayload, 'heartbeat' | 'isRunning' | 'isStale'>,
  ): Promise<boolean> {
    const { products, writeBackoff = DEFAULT_WRITE_BACKOFF } = this.options;
    let { upserts, deletes } = actions;
    let attempts = 0;
    try {
      await retry(
        async (attempt) => {
          attempts = attempt;
          if (attempt > 1) await ctx.heartbeat();
          let failures: string;
          try {
            const [up, del] = await keepAlive(Promise.all([products.bulkUpsert(upserts), products.bulkDelete(deletes)]), ctx.heartbeat);
            const { retry: again, skip } = splitFailures([...up.failed, ...del.failed]);
            for (const f of skip) this.log.error({ partition, sku: f.sku, status: f.status, reason: f.reason }, 'Elasticsearch refused a product; skipping it');
            this.totals.upserted += up.succeeded;
            this.totals.deleted += del.succeeded;
            this.totals.skippedByElasticsearch += skip.length;
            if (again.length === 0) return;
            // Only what failed transiently is sent again; the rest is already in the index.
            const skus = new Set(again.map((f) => f.sku));
            upserts = upserts.filter((p) => skus.has(p.sku));
            deletes = deletes.filter((sku) => skus.has(sku));
            failures = `${again.length} documents failed transiently, e.g. ${again[0]!.sku}: ${again[0]!.status} ${again[0]!.reason}`;
          } catch (err) {
            throw new WriteFailure(describeError(err));
          }
          throw new WriteFailure(failures);
        },
        {
          what: `write partition ${partition} to Elasticsearch`,
          backoff: writeBackoff,
          signal: this.abort.signal,
          // Not worth another attempt once the partition is gone or the consumer stops.
          retryIf: (err) => err instanceof WriteFailure && ctx.isRunning() && !ctx.isStale(),
          onRetry: ({ attempt, error }) => {
            const problem = describeError(error);
            const state = this.retrying.get(partition);
            this.retrying.set(partition, { attempt, since: state?.since ?? new Date(), error: problem });
            this.lastError = problem;
            this.log.warn({ partition, attempt, error: problem }, 'could not write to Elasticsearch; retrying the batch, offsets not committed');
          },
        },
      );
    } catch (err) {
      this.retrying.delete(partition);
      if (err instanceof WriteFailure || err instanceof RetryAbortedError) return false;
      throw err;
    }
    if (this.retrying.delete(partition) || attempts > 1) this.log.info({ partition, attempts }, 'Elasticsearch is back; batch written');
    return true;
  }
}

/** A batch (or part of it) could not be written; worth another attempt while the partition is ours. */
class WriteFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WriteFailure';
  }
}

/** Awaits `work`, heartbeating meanwhile so a slow Elasticsearch does not cost the group membership. */
async function keepAlive<T>(work: Promise<T>, heartbeat: () => Promise<void>): Promise<T> {
  const timer = setInterval(() => {
    // A failed heartbeat (rebalance) is surfaced by the explicit heartbeat after the write.
    heartbeat().catch(() => {});
  }, HEARTBEAT_EVERY_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
