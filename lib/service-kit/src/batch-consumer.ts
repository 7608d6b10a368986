import { Kafka, logLevel, type Consumer, type EachBatchPayload, type KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { z } from 'zod';
import { IDLE_FETCH_WAIT_MS } from './kafka-idle.js';
import { kafkaLogCreator, kafkaLogLevel } from './kafka-log.js';
import { describeError, retry, RetryAbortedError, STARTUP_BACKOFF, type Backoff } from './retry.js';

/** One partition's share of a fetch, in offset order. */
export interface ConsumedBatch {
  topic: string;
  partition: number;
  messages: KafkaMessage[];
}

/**
 * Applies one batch. Called once per attempt, with the attempt number (1-based); a rejection is
 * retried in place with backoff, so state the work keeps between attempts (what is already
 * applied) is the caller's to keep in the closure {@link BatchConsumerOptions.prepare} returns.
 */
export type BatchWork = (attempt: number) => Promise<void>;

export interface BatchConsumerOptions {
  brokers: string[];
  groupId: string;
  topic: string;
  logger: Logger;
  /** What applying a batch means, for logs and errors ("write to Elasticsearch"). */
  what: string;
  /**
   * Turns a batch into the work that applies it; called once per batch, before the first
   * attempt. `count(name, n)` adds to a counter of {@link ConsumerHealth.totals}.
   */
  prepare: (batch: ConsumedBatch, count: (name: string, n?: number) => void) => BatchWork;
  /** Counters the work keeps, reported from 0 before anything is counted. */
  counters?: readonly string[];
  clientId?: string;
  /** How long one {@link BatchConsumer.start} waits for the first group join (default 60 s). */
  joinTimeoutMs?: number;
  /** Backoff between attempts of a batch's work while it fails. */
  retryBackoff?: Backoff;
  /**
   * Longest a fetch waits on an idle topic (default {@link IDLE_FETCH_WAIT_MS}, which says why).
   * A test that stops consumers often may pass a shorter one: a stop waits for the fetch in flight.
   */
  maxWaitTimeInMs?: number;
  /**
   * Longest an applied batch's offsets wait to be committed (default 1000 ms): the offsets of
   * every batch applied meanwhile go in one commit. kafkajs alone commits after every batch, an
   * append to `__consumer_offsets` each: about one per order per follower under load
   * (docs/architecture.md, Tuning). A crash re-delivers at most this much applied work, which
   * the work must absorb anyway (at least once). 0: commit after every batch.
   */
  commitIntervalMs?: number;
  /**
   * Called when the consumer stopped for good after it had started (a crash kafkajs will not
   * restart). It cannot recover by itself; the server exits so a supervisor can.
   */
  onFatal?: (error: Error) => void;
}

/**
 * - `starting`: connecting, subscribing, joining the group;
 * - `consuming`: in the group and fetching (also while a batch is retried, see `retrying`);
 * - `restarting`: kafkajs is re-creating the consumer after a retriable crash;
 * - `stopped` / `crashed`: not consuming and not coming back.
 */
export type ConsumerStatus = 'idle' | 'starting' | 'consuming' | 'restarting' | 'stopping' | 'stopped' | 'crashed';

/** What a health endpoint reports about a {@link BatchConsumer}. */
export interface ConsumerHealth {
  status: ConsumerStatus;
  topic: string;
  groupId: string;
  /** Partitions this instance owns. */
  partitions: number[];
  /** Records behind the high watermark, summed over owned partitions, as of the last batch of each; null before any batch. */
  lag: number | null;
  lagByPartition: Record<string, number>;
  /** Set while a batch cannot be applied; its offsets are not committed meanwhile. */
  retrying: { partitions: number[]; attempt: number; since: string; error: string } | null;
  /** Batches and records applied, plus whatever the work counted (see {@link BatchConsumerOptions.prepare}). */
  totals: Record<string, number> & { batches: number; records: number };
  lastError: string | null;
}

/**
 * The zod schema of {@link ConsumerHealth} whose `totals` hold the work's own `counters`: what a
 * service documents for the route that serves its consumer's health (OpenAPI).
 */
export function consumerHealthSchema(counters: readonly string[]): z.ZodType<ConsumerHealth> {
  const count = z.number().int().min(0);
  return z.object({
    status: z.enum(['idle', 'starting', 'consuming', 'restarting', 'stopping', 'stopped', 'crashed']),
    topic: z.string(),
    groupId: z.string(),
    partitions: z.array(z.number().int()),
    lag: z.number().int().nullable(),
    lagByPartition: z.record(z.string(), z.number().int()),
    retrying: z.object({ partitions: z.array(z.number().int()), attempt: z.number().int(), since: z.string(), error: z.string() }).nullable(),
    totals: z.object({ batches: count, records: count, ...Object.fromEntries(counters.map((name) => [name, count])) }),
    lastError: z.string().nullable(),
  });
}

interface RetryState {
  attempt: number;
  since: Date;
  error: string;
}

const DEFAULT_RETRY_BACKOFF: Backoff = { initialMs: 250, maxMs: 10_000 };
/** Heartbeat while slow work is in flight; kafkajs heartbeats only when asked. */
const HEARTBEAT_EVERY_MS = 3_000;

/**
 * Consumes one topic in a consumer group and commits a partition's offsets only after its batch
 * was applied (within `commitIntervalMs`, and before a stop leaves the group): at least once,
 * in offset order per partition (partitions in parallel, since a key never crosses partitions).
 * While the work fails (its store is down), the batch is retried in place with backoff,
 * heartbeating so the group membership survives, and nothing is committed; retrying here
 * instead of throwing to kafkajs keeps the consumer in its group (kafkajs would give up after a
 * few retries and restart the whole consumer). A new group starts from the earliest offset.
 * The products indexers and the inventory's, shipping's and orders-graph's followers are built
 * on it.
 */
export class BatchConsumer {
  private readonly kafka: Kafka;
  private readonly probe: Kafka;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private consumer: Consumer | undefined;
  private starting: Promise<void> | undefined;
  private status: ConsumerStatus = 'idle';
  private partitions: number[] = [];
  private readonly lag = new Map<number, number>();
  private readonly retrying = new Map<number, RetryState>();
  private readonly totals: ConsumerHealth['totals'];
  private lastError: string | null = null;
  /** Applied but not yet committed: the next offset to read, per partition. */
  private readonly uncommitted = new Map<number, string>();
  private commitTimer: NodeJS.Timeout | undefined;
  /** The commit in flight: commits go one at a time, so an older offset never lands after a newer one. */
  private committing: Promise<void> = Promise.resolve();

  constructor(private readonly options: BatchConsumerOptions) {
    this.totals = { batches: 0, records: 0, ...Object.fromEntries((options.counters ?? []).map((name) => [name, 0])) };
    this.log = options.logger.child({ component: 'consumer', topic: options.topic, groupId: options.groupId });
    const base = {
      clientId: options.clientId ?? options.groupId,
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

  /** True when the consumer is in its group and fetching. */
  get ready(): boolean {
    return this.status === 'consuming';
  }

  health(): ConsumerHealth {
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
   * service's start-up policy retries it.
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
    // What was applied is committed before leaving, so the next member re-reads none of it.
    await this.commitNow();
    await this.consumer?.disconnect().catch((err: unknown) => this.log.warn({ err }, 'error while disconnecting the consumer'));
    this.consumer = undefined;
    this.status = 'stopped';
    this.log.info('consumer stopped');
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
    if (signal.aborted) throw new RetryAbortedError(`start consuming ${this.options.topic}`);
    const joined = this.watch(consumer);
    await consumer.run({
      eachBatch: (payload) => this.handleBatch(payload),
      // Offsets move only when a batch has been applied; see handleBatch.
      eachBatchAutoResolve: false,
      // Commits are this class's (see commitApplied): kafkajs's own would follow every batch.
      autoCommit: false,
      partitionsConsumedConcurrently: 3,
    });
    await joined.wait(joinTimeoutMs, signal);
    this.log.info({ partitions: this.partitions }, 'consuming');
  }

  private async connectAndSubscribe(): Promise<Consumer> {
    const { topic, groupId, maxWaitTimeInMs = IDLE_FETCH_WAIT_MS } = this.options;
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
      if (!settle) return;
      if (result.ok) settle.resolve();
      else settle.reject(result.error);
    };
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.partitions = [...(payload.memberAssignment[this.options.topic] ?? [])].sort((a, b) => a - b);
      for (const p of [...this.lag.keys()]) if (!this.partitions.includes(p)) this.lag.delete(p);
      // Another member reads those now, from their last commit; this generation may not commit them.
      for (const p of [...this.uncommitted.keys()]) if (!this.partitions.includes(p)) this.uncommitted.delete(p);
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
  private async handleBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const { partition } = batch;
    this.lag.set(partition, Number(batch.offsetLagLow()));
    const work = this.options.prepare({ topic: batch.topic, partition, messages: batch.messages }, (name, n = 1) => {
      this.totals[name] = (this.totals[name] ?? 0) + n;
    });
    const applied = await this.apply(partition, work, { heartbeat, isRunning, isStale });
    // Stopping, or the partition moved to another member: leave the offsets for whoever reads next.
    if (!applied) return;
    resolveOffset(batch.lastOffset());
    await this.commitApplied(partition, (BigInt(batch.lastOffset()) + 1n).toString());
    await heartbeat();
    this.lag.set(partition, Number(batch.offsetLag()));
    this.totals.batches += 1;
    this.totals.records += batch.messages.length;
    this.log.debug({ partition, records: batch.messages.length, lastOffset: batch.lastOffset() }, 'batch applied');
  }

  /** Notes a partition's applied offset; commits it now (interval 0) or within the interval, with whatever else is applied by then. */
  private async commitApplied(partition: number, nextOffset: string): Promise<void> {
    this.uncommitted.set(partition, nextOffset);
    if ((this.options.commitIntervalMs ?? 1000) <= 0) await this.commitNow();
    else this.scheduleCommit(this.options.commitIntervalMs ?? 1000);
  }

  private scheduleCommit(delayMs: number): void {
    this.commitTimer ??= setTimeout(() => {
      this.commitTimer = undefined;
      void this.commitNow();
    }, delayMs).unref();
  }

  /**
   * Commits every applied offset not committed yet. A failure (a rebalance, Kafka away) is
   * logged and the offsets are kept for the next commit unless a newer one or a new owner
   * replaced them; the records after the last commit are read again at worst.
   */
  private commitNow(): Promise<void> {
    clearTimeout(this.commitTimer);
    this.commitTimer = undefined;
    this.committing = this.committing.then(async () => {
      const consumer = this.consumer;
      if (!consumer || this.uncommitted.size === 0) return;
      const offsets = [...this.uncommitted].map(([partition, offset]) => ({ topic: this.options.topic, partition, offset }));
      this.uncommitted.clear();
      try {
        await consumer.commitOffsets(offsets);
      } catch (err) {
        for (const { partition, offset } of offsets) if (!this.uncommitted.has(partition) && this.partitions.includes(partition)) this.uncommitted.set(partition, offset);
        this.log.warn({ err: describeError(err) }, 'committing offsets failed; the applied records after the last commit may be read again');
        // Try again later unless stopping (stop commits once itself).
        if (this.uncommitted.size > 0 && this.status !== 'stopping') this.scheduleCommit(Math.max(this.options.commitIntervalMs ?? 1000, 1000));
      }
    });
    return this.committing;
  }

  /**
   * Runs the batch's work until it succeeds (the shared retry, `retryBackoff`). Returns false,
   * with nothing committed, if the consumer stops or loses the partition; a failed heartbeat
   * between attempts (a rebalance) propagates so kafkajs rejoins without committing.
   */
  private async apply(partition: number, work: BatchWork, ctx: Pick<EachBatchPayload, 'heartbeat' | 'isRunning' | 'isStale'>): Promise<boolean> {
    const { what, retryBackoff = DEFAULT_RETRY_BACKOFF } = this.options;
    let attempts = 0;
    try {
      await retry(
        async (attempt) => {
          attempts = attempt;
          if (attempt > 1) await ctx.heartbeat();
          try {
            await keepAlive(work(attempt), ctx.heartbeat);
          } catch (err) {
            throw new WorkFailure(describeError(err));
          }
        },
        {
          what: `${what} (partition ${partition})`,
          backoff: retryBackoff,
          signal: this.abort.signal,
          // Not worth another attempt once the partition is gone or the consumer stops.
          retryIf: (err) => err instanceof WorkFailure && ctx.isRunning() && !ctx.isStale(),
          onRetry: ({ attempt, error }) => {
            const problem = describeError(error);
            const state = this.retrying.get(partition);
            this.retrying.set(partition, { attempt, since: state?.since ?? new Date(), error: problem });
            this.lastError = problem;
            this.log.warn({ partition, attempt, error: problem }, `could not ${what}; retrying the batch, offsets not committed`);
          },
        },
      );
    } catch (err) {
      this.retrying.delete(partition);
      if (err instanceof WorkFailure || err instanceof RetryAbortedError) return false;
      throw err;
    }
    if (this.retrying.delete(partition) || attempts > 1) this.log.info({ partition, attempts }, `${what}: works again; batch applied`);
    return true;
  }
}

/** A consumer a service follows in the background: see {@link backgroundFollower}. */
export interface BackgroundFollower {
  /** Starts following; later calls do nothing (a dependency's `prepare` may run again). */
  start(): void;
  /** Aborts a start still waiting for Kafka, waits for it, then stops the consumer. */
  stop(): Promise<void>;
}

/**
 * Follows a topic the way a service whose API does not depend on Kafka does: once started,
 * each {@link BatchConsumer.start} attempt is retried with the start-up backoff while Kafka or
 * the topic is missing (logged at the first attempt and every twentieth, not each time) until
 * the follower is stopped; any other end is handed to `fail`.
 */
export function backgroundFollower(
  consumer: Pick<BatchConsumer, 'start' | 'stop'>,
  o: { topic: string; logger: Logger; waiting: string; fail: (error: unknown) => void },
): BackgroundFollower {
  const stopping = new AbortController();
  let following: Promise<void> | undefined;
  return {
    start() {
      following ??= retry(() => consumer.start(stopping.signal), {
        what: `follow topic ${o.topic}`,
        backoff: STARTUP_BACKOFF,
        signal: stopping.signal,
        onRetry: ({ attempt, error }) => {
          if (attempt === 1 || attempt % 20 === 0) o.logger.warn({ attempt, error: describeError(error) }, o.waiting);
        },
      }).catch((err: unknown) => {
        if (!(err instanceof RetryAbortedError)) o.fail(err);
      });
    },
    async stop() {
      stopping.abort();
      await following;
      await consumer.stop();
    },
  };
}

/** A batch's work failed; worth another attempt while the partition is ours. */
class WorkFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkFailure';
  }
}

/** Awaits `work`, heartbeating meanwhile so slow work does not cost the group membership. */
async function keepAlive<T>(work: Promise<T>, heartbeat: () => Promise<void>): Promise<T> {
  const timer = setInterval(() => {
    // A failed heartbeat (rebalance) is surfaced by the explicit heartbeat after the work.
    heartbeat().catch(() => {});
  }, HEARTBEAT_EVERY_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
