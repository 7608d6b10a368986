import { randomUUID } from 'node:crypto';
import { describeError, retry, RetryAbortedError, type Backoff, type Logger } from '@oms/service-kit';
import { IDLE_FETCH_WAIT_MS, IDLE_HEARTBEAT_INTERVAL_MS, kafkaLogCreator, kafkaLogLevel, Placement, UnansweredPartitionsError, unansweredPartitions } from '@oms/service-kit/kafka';
import { Kafka, Partitioners, type Admin, type Consumer, type EachBatchPayload, type IHeaders, type Producer, type RecordMetadata, type TopicMessages, type Transaction } from 'kafkajs';
import type { StreamConfig } from '../config.js';
import { OrderJoin, type CommitOffset, type DlqEntry, type EnrichedOrder, type InputRecord, type LookupKind, type OrderKind } from '../domain/join.js';
import { toConnectRecord } from '../domain/output-schema.js';
import { StreamMetrics, type LagSample } from '../metrics.js';
import { coPartitionedAssigner } from './assigner.js';
import { CatchUp } from './catch-up.js';

/*
 * How orders-stream stays exact across crashes, restarts and rebalances
 * ---------------------------------------------------------------------
 * Lookups. Every instance needs all of `customer`, `address` and `products`, not a share of
 * them, so they are read by a second consumer whose group id is unique to this process
 * (`<group>.lookups.<instance>.<random>`) and which never commits: it is always the only member
 * (gets every partition) and always starts from the beginning of the compacted topics. The end
 * offsets fetched at start tell when the tables are loaded; only then does the order consumer
 * join its group, and `/health` turns 200. The lookup consumer keeps running to apply changes.
 *
 * Orders. `order` and `order_detail` are consumed by the shared group (KAFKA_GROUP_ID) with an
 * assigner that keeps partition p of both topics on one member. No auto-commit: each batch's
 * output (enriched orders, DLQ records) and its input offsets go out in ONE Kafka transaction
 * (transactional id `<group>-<instance>`), so emitting and committing happen together or not at
 * all. The offsets committed are those OrderJoin calls safe: never past the first record of an
 * order still pending, and never through the middle of an emitted order. After a kill -9 the
 * group re-reads from there: pending orders are rebuilt from their records, and an order that
 * was emitted but whose records lie past the commit is emitted again — harmless, as the JDBC
 * sink upserts by id. Nothing is lost (no offset passes an unemitted record) and nothing is
 * duplicated in the read model (an order id is one row).
 *
 * Rebalances. kafkajs has no revoke callback; on REBALANCING no offsets are committed, and on
 * GROUP_JOIN the state of partitions no longer owned is dropped. kafkajs resumes every assigned
 * partition from its committed offset, so what is kept is re-applied idempotently and what is
 * new is rebuilt.
 *
 * Every transaction that moves order offsets carries all output derived so far (`unwritten`):
 * lookup-driven emits join the same group commit instead of a transaction of their own. And a
 * send counts only if the broker answered for every partition its records went to: kafkajs can
 * resolve a send having skipped the partitions of a broker that died mid-send (service-kit's
 * kafka-placement.ts), and committing the offsets of such a transaction lost orders (issue 10).
 *
 * Failures. If a transaction fails, what was emitted is in doubt, so the order state is reset
 * and the order consumer and producer are rebuilt, re-reading from the committed offsets. The
 * producer claims its transactional id at start (kafkajs would wait for the first write), which
 * fences a killed predecessor with the same INSTANCE_ID and aborts its open transaction at once;
 * with a new INSTANCE_ID that transaction only times out (TRANSACTION_TIMEOUT_MS), which holds
 * back read_committed readers of the output for that long — read_uncommitted ones are unaffected.
 *
 * Latency. Fetches end as soon as data arrives (their long max waits only spare idle CPU), no
 * linger (kafkajs sends at once), a transaction only when there is something to write or an
 * offset to move (one per fetch under load: see groupCommit), and a 5 ms first retry: a transaction begun right
 * after a commit meets CONCURRENT_TRANSACTIONS, and kafkajs's default 300 ms backoff would
 * dominate the end-to-end time.
 */

export interface ProcessorOptions {
  config: StreamConfig;
  logger: Logger;
  metrics?: StreamMetrics;
  /** Recently emitted ids to remember; see OrderJoinOptions. */
  emittedCapacity?: number;
  /**
   * Called when the processor stopped for good after it had started: the lookup consumer
   * crashed and kafkajs will not restart it (the tables would go stale while orders still
   * flow). The server exits so a supervisor starts it afresh; a failure of the order side is
   * repaired in place instead (see `recover`).
   */
  onFatal?: (error: Error) => void;
  /**
   * Sends a transaction's records (default: the transaction's own `sendBatch`). A port for
   * tests that need the producer to misbehave as kafkajs does when a broker dies mid-send.
   */
  sendBatch?: BatchSender;
}

/** Sends one transaction's records and resolves with the broker's answers per partition. */
export type BatchSender = (txn: Transaction, topicMessages: TopicMessages[]) => Promise<RecordMetadata[]>;

export interface ProcessorStatus {
  lookups: { ready: boolean; detail: string };
  consumer: { ready: boolean; detail: string };
}

type ConsumerState = 'stopped' | 'starting' | 'joining' | 'running' | 'recovering' | 'failed';

const TRANSACTION_TIMEOUT_MS = 15_000;
/** Between attempts to rebuild the order side after a failure; it keeps trying until stopped. */
const RECOVERY_BACKOFF: Backoff = { initialMs: 1_000, maxMs: 10_000 };
/** AddOffsetsToTxn meeting CONCURRENT_TRANSACTIONS: retried briefly, see {@link sendOffsets}. */
const CONCURRENT_TRANSACTIONS_BACKOFF: Backoff = { initialMs: 5, maxMs: 200, jitter: false };
const CONCURRENT_TRANSACTIONS_BUDGET_MS = 5_000;

/** Thrown by `start()` when a topic the processor needs does not exist. */
export class MissingTopicsError extends Error {
  constructor(readonly topics: string[]) {
    super(`missing Kafka topics: ${topics.join(', ')} (auto-creation is off; create them, e.g. \`oms topics create\`)`);
    this.name = 'MissingTopicsError';
  }
}

/** The Kafka wiring around {@link OrderJoin}. `start()` connects and loads; `stop()` lets go. */
export class OrdersStreamProcessor {
  readonly metrics: StreamMetrics;
  private readonly config: StreamConfig;
  private readonly logger: Logger;
  private readonly kafka: Kafka;
  private join: OrderJoin;
  private readonly emittedCapacity?: number;
  private readonly admin: Admin;
  private producer?: Producer;
  private orderConsumer?: Consumer;
  private lookupConsumer?: Consumer;
  private catchUp?: CatchUp;
  private lookupsLoaded = false;
  /** Set when the lookup consumer died for good: tables no longer follow their topics. */
  private lookupError?: string;
  private consumerState: ConsumerState = 'stopped';
  /** Between REBALANCING and GROUP_JOIN: still healthy (a normal event), but not committing. */
  private rebalancing = false;
  private lastError?: string;
  /** Order partitions this member may commit for; empty while a rebalance is in progress. */
  private assigned = new Set<number>();
  /** Order partitions of the last assignment, kept through a rebalance to know what was revoked. */
  private owned = new Set<number>();
  /** Next offset to read per `topic/partition`, for the lag gauge. */
  private readonly positions = new Map<string, number>();
  /** Serialises every join mutation and transaction: two consumers feed one join and one producer. */
  private queue: Promise<unknown> = Promise.resolve();
  /** Output of applied batches not yet written: the next group commit takes it. */
  private unwritten: { emits: EnrichedOrder[]; dlq: DlqEntry[] } = { emits: [], dlq: [] };
  /** The flush batches join until it starts; see groupCommit. */
  private nextFlush?: Promise<boolean>;
  /** Set when a transaction failed: emitted-state is in doubt until the order side is rebuilt. */
  private failed = false;
  private recovering?: Promise<void>;
  private stopping = false;
  /** Aborted by stop(): cuts a recovery's wait short. */
  private stopped = new AbortController();
  /** From a successful start() to stop(): only then is a failure repaired in place. */
  private started = false;
  private joined?: { promise: Promise<void>; resolve: () => void; reject: (err: Error) => void };

  private readonly onFatal?: (error: Error) => void;
  private readonly sendBatch: BatchSender;
  /** Where output and DLQ records go, chosen before sending (see service-kit's kafka-placement.ts). */
  private placement?: Placement;

  constructor({ config, logger, metrics, emittedCapacity, onFatal, sendBatch }: ProcessorOptions) {
    this.onFatal = onFatal;
    this.sendBatch = sendBatch ?? ((txn, topicMessages) => txn.sendBatch({ topicMessages }));
    this.config = config;
    this.logger = logger;
    this.metrics = metrics ?? new StreamMetrics();
    this.emittedCapacity = emittedCapacity;
    this.join = new OrderJoin({ emittedCapacity });
    this.kafka = new Kafka({
      clientId: config.clientId,
      brokers: config.brokers,
      logLevel: kafkaLogLevel(logger.level),
      logCreator: kafkaLogCreator(logger.child({ component: 'kafkajs' })),
      connectionTimeout: 3_000,
    });
    this.admin = this.kafka.admin();
  }

  /**
   * Connects, loads the lookup tables and joins the order consumer group; resolves when records
   * are flowing. On failure everything opened is closed again and the error is rethrown.
   */
  async start(): Promise<void> {
    this.stopping = false;
    this.stopped = new AbortController();
    this.failed = false;
    this.lookupError = undefined;
    this.lookupsLoaded = false;
    this.rebalancing = false;
    this.consumerState = 'starting';
    // A retried start begins from nothing: tables rebuilt from their topics, orders from commits.
    this.join = new OrderJoin({ emittedCapacity: this.emittedCapacity });
    this.unwritten = { emits: [], dlq: [] };
    this.positions.clear();
    try {
      await this.admin.connect();
      await this.checkTopics();
      await this.startProducer();
      await this.loadLookups();
      await this.startOrderConsumer();
      this.started = true;
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- a write can fail while starting; TypeScript keeps `failed = false` from above across the awaits
      if (this.failed) this.fail(new Error(`a write failed while starting: ${String(this.lastError)}`));
    } catch (err) {
      this.lastError = err instanceof Error ? err.message : String(err);
      this.consumerState = 'failed';
      await this.closeAll();
      throw err;
    }
  }

  /** Leaves the group and closes every client; an open transaction is finished first. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopped.abort();
    this.started = false;
    await this.recovering?.catch(() => undefined);
    await this.closeAll();
    this.consumerState = 'stopped';
  }

  status(): ProcessorStatus {
    const lookups = this.lookupError
      ? { ready: false, detail: this.lookupError }
      : this.lookupsLoaded
      ? { ready: true, detail: 'loaded' }
      : { ready: false, detail: this.catchUp ? `loading: ${this.catchUp.describe()}` : this.lastError ?? 'not started' };
    const ready = this.consumerState === 'running';
    const detail = ready
      ? this.rebalancing
        ? 'running, rebalancing'
        : `running, partitions [${[...this.assigned].sort((a, b) => a - b).join(',')}]`
      : this.lastError && this.consumerState !== 'starting'
        ? `${this.consumerState}: ${this.lastError}`
        : this.consumerState;
    return { lookups, consumer: { ready, detail } };
  }

  stats() {
    return this.join.stats();
  }

  /** End offset minus consumed position for every input partition this instance reads. */
  async lag(): Promise<LagSample[]> {
    const t = this.config.topics;
    const samples: LagSample[] = [];
    const orderTopics = new Set([t.order, t.orderDetail]);
    const committed = new Map<string, number>();
    if (this.assigned.size > 0) {
      for (const { topic, partitions } of await this.admin.fetchOffsets({ groupId: this.config.groupId, topics: [...orderTopics] })) {
        for (const p of partitions) committed.set(`${topic}/${p.partition}`, Number(p.offset));
      }
    }
    for (const topic of [t.order, t.orderDetail, t.customer, t.address, t.products]) {
      for (const { partition, high, low } of await this.admin.fetchTopicOffsets(topic)) {
        if (orderTopics.has(topic) && !this.assigned.has(partition)) continue;
        const key = `${topic}/${partition}`;
        const fallback = committed.get(key) ?? -1;
        const position = this.positions.get(key) ?? (fallback >= 0 ? fallback : Number(low));
        samples.push({ topic, partition, lag: Math.max(0, Number(high) - position) });
      }
    }
    return samples;
  }

  private async checkTopics(): Promise<void> {
    const t = this.config.topics;
    const existing = new Set(await this.admin.listTopics());
    const missing = [t.order, t.orderDetail, t.customer, t.address, t.products, t.output, t.dlq].filter((name) => !existing.has(name));
    if (missing.length > 0) throw new MissingTopicsError(missing);
    const { topics } = await this.admin.fetchTopicMetadata({ topics: [t.output, t.dlq] });
    this.placement = new Placement(new Map(topics.map((m) => [m.name, m.partitions])));
  }

  private async startProducer(): Promise<void> {
    this.producer = this.kafka.producer({
      transactionalId: `${this.config.groupId}-${this.config.instanceId}`,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: TRANSACTION_TIMEOUT_MS,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: { initialRetryTime: 5, maxRetryTime: 1_000, retries: Number.MAX_SAFE_INTEGER },
    });
    await this.producer.connect();
    // kafkajs registers the transactional id lazily, at the first transaction. Do it now, so a
    // predecessor with the same id (a restart after kill -9) is fenced and its open transaction
    // aborted at once, not whenever there is first something to write.
    const txn = await this.producer.transaction();
    await txn.abort();
  }

  private async loadLookups(): Promise<void> {
    const t = this.config.topics;
    const kinds = new Map<string, LookupKind>([
      [t.customer, 'customer'],
      [t.address, 'address'],
      [t.products, 'products'],
    ]);
    const ends: ConstructorParameters<typeof CatchUp>[0] = {};
    for (const topic of kinds.keys()) {
      ends[topic] = (await this.admin.fetchTopicOffsets(topic)).map((o) => ({ partition: o.partition, low: Number(o.low), high: Number(o.high) }));
    }
    const catchUp = (this.catchUp = new CatchUp(ends));
    let loaded!: () => void;
    let broken!: (err: Error) => void;
    const done = new Promise<void>((resolve, reject) => ((loaded = resolve), (broken = reject)));
    const settle = () => {
      if (catchUp.done && !this.lookupsLoaded) {
        this.lookupsLoaded = true;
        this.logger.info({ ...this.join.stats() }, 'lookup tables loaded');
        loaded();
      }
    };
    const advance = (topic: string, partition: number, next: number) => {
      this.positions.set(`${topic}/${partition}`, next);
      catchUp.advance(topic, partition, next);
      settle();
    };
    settle(); // every lookup topic may be empty

    const consumer = (this.lookupConsumer = this.kafka.consumer({
      groupId: `${this.config.groupId}.lookups.${this.config.instanceId}.${randomUUID().slice(0, 8)}`,
      maxWaitTimeInMs: IDLE_FETCH_WAIT_MS,
      sessionTimeout: this.config.sessionTimeoutMs,
      // Alone in its own group (the id is this instance's): nobody waits for it to rejoin.
      heartbeatInterval: Math.min(IDLE_HEARTBEAT_INTERVAL_MS, Math.floor(this.config.sessionTimeoutMs / 3)),
    }));
    // A batch made only of control records never reaches eachBatch; its end still counts.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => advance(payload.topic, payload.partition, Number(payload.lastOffset) + 1));
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error({ err: payload.error, restart: payload.restart }, 'lookup consumer crashed');
      if (payload.restart || this.stopping) return;
      this.lookupError = `lookup consumer stopped: ${payload.error.message}`;
      broken(payload.error);
      // Once loaded, nothing awaits `done` any more: without this the process would stay up, idle.
      if (this.lookupsLoaded) this.onFatal?.(payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...kinds.keys()], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs's payload functions are closures; its types declare them as methods
      eachBatch: async ({ batch, heartbeat }) => {
        const kind = kinds.get(batch.topic)!;
        const applied = await this.serially(() => {
          const emits: EnrichedOrder[] = [];
          const dlq: DlqEntry[] = [];
          for (const m of batch.messages) {
            const out = this.join.apply({ kind, topic: batch.topic, partition: batch.partition, offset: Number(m.offset), key: m.key, value: m.value });
            emits.push(...out.emits);
            dlq.push(...out.dlq);
          }
          this.metrics.countIn(batch.topic, batch.messages.length);
          if (this.failed) {
            if (dlq.length) this.logger.warn({ dlq: dlq.map((d) => d.reason) }, 'DLQ records dropped while recovering');
            return false; // the order side is being rebuilt; its emits will be derived again
          }
          // Out with the next group commit, never in a transaction of their own: one that moved
          // the order offsets without the emits still waiting in `unwritten` could commit past
          // orders that a failure then drops.
          this.unwritten.emits.push(...emits);
          this.unwritten.dlq.push(...dlq);
          return true;
        });
        if (applied) await this.groupCommit(); // a failure is handled there: the order side is rebuilt
        advance(batch.topic, batch.partition, Number(batch.lastOffset()) + 1);
        await heartbeat();
      },
    });
    this.logger.info({ ends }, 'loading lookup tables');
    await done;
  }

  private async startOrderConsumer(): Promise<void> {
    const t = this.config.topics;
    const kinds = new Map<string, OrderKind>([
      [t.order, 'order'],
      [t.orderDetail, 'order_detail'],
    ]);
    this.consumerState = 'joining';
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const joined = (this.joined = { promise: new Promise<void>((res, rej) => ((resolve = res), (reject = rej))), resolve: () => resolve(), reject: (e: Error) => reject(e) });
    joined.promise.catch(() => undefined); // observed by the awaiting caller; avoid an unhandled rejection after it gave up

    const consumer = (this.orderConsumer = this.kafka.consumer({
      groupId: this.config.groupId,
      partitionAssigners: [coPartitionedAssigner],
      maxWaitTimeInMs: IDLE_FETCH_WAIT_MS,
      sessionTimeout: this.config.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(this.config.sessionTimeoutMs / 3)),
    }));
    // A consumer being replaced (see rebuildOrderSide) may still rejoin while it leaves: its
    // assignment is not this processor's any more.
    const current = () => this.orderConsumer === consumer;
    consumer.on(consumer.events.REBALANCING, () => {
      if (!current()) return;
      // Until the new assignment is known, no offsets are committed for any order partition.
      this.assigned = new Set();
      this.rebalancing = true;
    });
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      if (!current()) return;
      const mine = new Set<number>(payload.memberAssignment[t.order] ?? []);
      for (const p of payload.memberAssignment[t.orderDetail] ?? []) mine.add(p);
      void this.serially(() => {
        const revoked = [...this.owned].filter((p) => !mine.has(p));
        if (revoked.length) this.join.dropPartitions(revoked);
        for (const key of [...this.positions.keys()]) {
          const [topic, partition] = splitKey(key);
          if (kinds.has(topic) && !mine.has(partition)) this.positions.delete(key);
        }
        this.assigned = mine;
        this.owned = new Set(mine);
        this.consumerState = 'running';
        this.rebalancing = false;
        this.lastError = undefined;
        this.logger.info({ partitions: [...mine].sort((a, b) => a - b), revoked }, 'order partitions assigned');
        this.joined?.resolve();
      });
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.logger.error({ err: payload.error, restart: payload.restart }, 'order consumer crashed');
      if (payload.restart || this.stopping || !current()) return;
      joined.reject(payload.error); // if still joining, start() or the rebuild learns of it
      this.fail(payload.error);
    });

    await consumer.connect();
    await consumer.subscribe({ topics: [...kinds.keys()], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      // Every order partition of a fetch at once, so their batches share one transaction (groupCommit).
      partitionsConsumedConcurrently: 6,
      eachBatch: (payload) => this.onOrderBatch(kinds.get(payload.batch.topic)!, payload),
    });
    await joined.promise;
  }

  // eslint-disable-next-line @typescript-eslint/unbound-method -- kafkajs's payload functions are closures; its types declare them as methods
  private async onOrderBatch(kind: OrderKind, { batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    if (this.failed || !isRunning() || isStale()) return;
    const { topic, partition } = batch;
    let applied = true;
    await this.serially(() => {
      if (this.failed) return void (applied = false);
      for (const m of batch.messages) {
        const record: InputRecord = { kind, topic, partition, offset: Number(m.offset), key: m.key, value: m.value };
        const out = this.join.apply(record);
        this.unwritten.emits.push(...out.emits);
        this.unwritten.dlq.push(...out.dlq);
      }
      this.join.advance(kind, partition, Number(batch.lastOffset()) + 1);
      this.metrics.countIn(topic, batch.messages.length);
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the serialised callback above may have set it
    if (!applied || !(await this.groupCommit())) return; // not resolved: the rebuilt consumer reads it again from the commit
    resolveOffset(batch.lastOffset());
    this.positions.set(`${topic}/${partition}`, Number(batch.lastOffset()) + 1);
    await heartbeat();
  }

  /**
   * Group commit. kafkajs hands the batches of one fetch (up to six: three partitions of two
   * topics) to eachBatch concurrently; each applies its records, then joins the next flush, and
   * one transaction writes what they all produced with the offsets the join calls safe. Under
   * load that is one transaction per fetch instead of one per batch — the broker's and this
   * process's main cost per order — while a lone batch still flushes on the next tick.
   * Resolves false when the transaction failed (the order side is then being rebuilt).
   */
  private groupCommit(): Promise<boolean> {
    this.nextFlush ??= new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
      this.nextFlush = undefined; // batches arriving from now on form the next group
      return this.serially(async () => {
        if (this.failed) return false;
        const { emits, dlq } = this.unwritten;
        this.unwritten = { emits: [], dlq: [] };
        try {
          await this.write(emits, dlq);
          return true;
        } catch (err) {
          this.fail(err);
          return false;
        }
      });
    });
    return this.nextFlush;
  }

  /**
   * Writes emitted orders and DLQ records and commits the offsets the join calls safe, all in
   * one transaction. Skips the round trips when there is nothing to say.
   */
  private async write(emits: EnrichedOrder[], dlq: DlqEntry[]): Promise<void> {
    const offsets = this.join.offsetsToCommit().filter((o) => this.assigned.has(o.partition));
    if (emits.length === 0 && dlq.length === 0 && offsets.length === 0) return;
    const { producer, placement } = this;
    if (!producer || !placement) throw new Error('producer is not connected');
    const t = this.config.topics;
    const txn = await producer.transaction();
    try {
      const topicMessages: TopicMessages[] = [];
      if (emits.length) topicMessages.push(placement.place(t.output, emits.map((o) => ({ ...toConnectRecord(o) }))));
      if (dlq.length) topicMessages.push(placement.place(t.dlq, dlq.map(dlqMessage)));
      if (topicMessages.length) {
        // Committing the offsets past records that were never written would lose their orders.
        const missing = unansweredPartitions(topicMessages, await this.sendBatch(txn, topicMessages));
        if (missing.length) throw new UnansweredPartitionsError(missing);
      }
      if (offsets.length) {
        const request = { consumerGroupId: this.config.groupId, topics: byTopic(offsets, t) };
        await sendOffsets(() => txn.sendOffsets(request));
      }
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => undefined);
      throw err;
    }
    this.join.markCommitted(offsets);
    this.metrics.ordersOut += emits.length;
    this.metrics.dlq += dlq.length;
    if (emits.length) this.logger.debug({ orders: emits.map((o) => o.id) }, 'orders emitted');
    for (const d of dlq) this.logger.warn({ reason: d.reason, topic: d.topic, partition: d.partition, offset: d.offset }, 'record sent to the DLQ');
  }

  /**
   * Marks the order side as in doubt and rebuilds it. A failure during a rebuild leaves `failed`
   * set, which makes the running rebuild go round again.
   */
  private fail(err: unknown): void {
    if (this.stopping) return;
    this.lastError = err instanceof Error ? err.message : String(err);
    this.failed = true;
    this.logger.error({ err }, 'order processing failed; rebuilding the order consumer from the committed offsets');
    this.startRecovery();
  }

  /** Starts a rebuild unless one runs; while start() runs, it finishes first and then repairs (see start()). */
  private startRecovery(): void {
    if (!this.started || this.recovering) return;
    this.recovering = this.recover().finally(() => {
      this.recovering = undefined;
      // A failure after the rebuild's last check found one running and started none.
      if (this.failed && !this.stopping) this.startRecovery();
    });
  }

  /** Rebuilds the order side with the shared retry until it holds or the processor stops. */
  private async recover(): Promise<void> {
    this.consumerState = 'recovering';
    this.metrics.recoveries += 1;
    try {
      await retry(() => this.rebuildOrderSide(), {
        what: 'rebuild the order consumer',
        backoff: RECOVERY_BACKOFF,
        signal: this.stopped.signal,
        onRetry: ({ attempt, error }) => {
          this.lastError = describeError(error);
          this.logger.error({ err: error, attempt }, 'rebuilding the order consumer failed; retrying');
        },
      });
      if (!this.stopping) this.logger.info('order consumer rebuilt');
    } catch (err) {
      if (!(err instanceof RetryAbortedError)) throw err;
    }
  }

  /** One attempt: a new producer (fencing the old one), a reset order state, a new order consumer. */
  private async rebuildOrderSide(): Promise<void> {
    // Cleared first: events the old consumer still emits while it leaves are ignored (see startOrderConsumer).
    const old = this.orderConsumer;
    this.orderConsumer = undefined;
    await old?.disconnect().catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    this.producer = undefined;
    if (this.stopping) return;
    // A new producer (same transactional id) fences the old one and aborts what it left open.
    await this.startProducer();
    await this.serially(() => {
      this.join.resetOrders();
      this.unwritten = { emits: [], dlq: [] };
      this.assigned = new Set();
      this.owned = new Set();
      this.failed = false;
    });
    await this.startOrderConsumer();
    // It failed again while rebuilding: another attempt.
    if (this.failed) throw new Error(`failed again while rebuilding: ${String(this.lastError)}`);
  }

  private serially<T>(job: () => T | Promise<T>): Promise<T> {
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async closeAll(): Promise<void> {
    const close = async (what: string, client?: { disconnect(): Promise<void> }) => {
      try {
        await client?.disconnect();
      } catch (err) {
        this.logger.warn({ err }, `closing the ${what} failed`);
      }
    };
    await close('order consumer', this.orderConsumer);
    await close('lookup consumer', this.lookupConsumer);
    await this.queue;
    await close('producer', this.producer);
    await close('admin client', this.admin);
    this.orderConsumer = this.lookupConsumer = this.producer = undefined;
    this.assigned = new Set();
    this.owned = new Set();
  }
}

/**
 * kafkajs retries CONCURRENT_TRANSACTIONS for AddPartitionsToTxn (the first `send`) but not for
 * AddOffsetsToTxn: a transaction that only moves offsets, begun while the coordinator still
 * writes the previous commit's markers, would fail. The call leaves the transaction usable, so
 * it is retried briefly with the shared retry; any other error is the caller's.
 */
async function sendOffsets<T>(call: () => Promise<T>): Promise<T> {
  return retry(call, {
    what: 'send offsets to the transaction',
    backoff: CONCURRENT_TRANSACTIONS_BACKOFF,
    timeoutMs: CONCURRENT_TRANSACTIONS_BUDGET_MS,
    retryIf: (err) => (err as { type?: string }).type === 'CONCURRENT_TRANSACTIONS',
  });
}

function splitKey(key: string): [string, number] {
  const slash = key.lastIndexOf('/');
  return [key.slice(0, slash), Number(key.slice(slash + 1))];
}

function byTopic(offsets: CommitOffset[], t: StreamConfig['topics']) {
  const topics = new Map<string, Array<{ partition: number; offset: string }>>();
  for (const o of offsets) {
    const topic = o.kind === 'order' ? t.order : t.orderDetail;
    if (!topics.has(topic)) topics.set(topic, []);
    topics.get(topic)!.push({ partition: o.partition, offset: String(o.offset) });
  }
  return [...topics].map(([topic, partitions]) => ({ topic, partitions }));
}

function dlqMessage(d: DlqEntry): { key: Buffer | string | null; value: Buffer | string | null; headers: IHeaders } {
  return {
    key: d.key ?? null,
    value: d.value ?? null,
    headers: { 'dlq.reason': d.reason, 'dlq.topic': d.topic, 'dlq.partition': String(d.partition), 'dlq.offset': String(d.offset) },
  };
}
