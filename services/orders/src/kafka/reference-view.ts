import { randomUUID } from 'node:crypto';
import { describeError, type Logger } from '@oms/service-kit';
import { IDLE_FETCH_WAIT_MS, IDLE_HEARTBEAT_INTERVAL_MS, kafkaLogCreator, kafkaLogLevel } from '@oms/service-kit/kafka';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { z } from 'zod';
import { ReferenceTables, type ReferenceKind } from '../domain/reference-tables.js';

export interface ReferenceViewOptions {
  brokers: string[];
  /** The topic of each kind: Debezium's `customer` and `address`, and `products`. */
  topics: Record<ReferenceKind, string>;
  logger: Logger;
  /** Longest an idle fetch waits; arriving records end it at once (default {@link IDLE_FETCH_WAIT_MS}). */
  maxWaitTimeInMs?: number;
}

export const REFERENCE_VIEW_STATUSES = ['idle', 'starting', 'loading', 'loaded', 'stopped', 'crashed'] as const;
export type ReferenceViewStatus = (typeof REFERENCE_VIEW_STATUSES)[number];

/** `GET /health/references`: the view's state and what it holds, and how checks were answered. */
export const referencesHealthSchema = z
  .object({
    status: z.enum(REFERENCE_VIEW_STATUSES).describe('`loaded`: checks answer from the view; any other state: they ask the customers and products services.'),
    topics: z.array(z.string()),
    sizes: z.object({ customers: z.number().int(), addresses: z.number().int(), skus: z.number().int(), skipped: z.number().int().describe('Records of another shape, ignored.') }),
    checks: z
      .object({ customerHits: z.number().int(), customerCalls: z.number().int(), skuHits: z.number().int(), skuCalls: z.number().int() })
      .describe('Since start: checks answered from the view (hits) and by asking the services (calls).'),
    lastError: z.string().nullable(),
  })
  .meta({ id: 'ReferencesHealth' });
export type ReferencesHealth = z.infer<typeof referencesHealthSchema>;

export type ReferenceViewHealth = Omit<ReferencesHealth, 'checks'>;

/**
 * The orders service's own view of the compacted topics its reference checks are about
 * (customers with their addresses, products), so placing an order need not call the customers
 * and products services (docs/architecture.md, "Reference checks"). Every instance reads the
 * topics from the beginning in a group of its own that commits nothing, and keeps the tables
 * in memory. The view counts only once it has read up to the topics' ends as they were at
 * start: before that it could still hold a row whose delete it has not reached.
 */
export class ReferenceView {
  private readonly kafka: Kafka;
  private readonly log: Logger;
  private readonly current = new ReferenceTables();
  private readonly kinds: Map<string, ReferenceKind>;
  private consumer: Consumer | undefined;
  private status: ReferenceViewStatus = 'idle';
  private lastError: string | null = null;
  /** Per `topic/partition`, the offset to reach before the view counts (removed once reached). */
  private readonly pending = new Map<string, number>();

  constructor(private readonly options: ReferenceViewOptions) {
    this.log = options.logger.child({ component: 'reference-view' });
    this.kinds = new Map(Object.entries(options.topics).map(([kind, topic]) => [topic, kind as ReferenceKind]));
    this.kafka = new Kafka({
      clientId: 'orders-references',
      brokers: options.brokers,
      connectionTimeout: 3_000,
      logLevel: kafkaLogLevel(options.logger.level),
      logCreator: kafkaLogCreator(this.log),
    });
  }

  /** The tables once loaded; undefined before (and after a crash): the checks then ask the services. */
  tables(): ReferenceTables | undefined {
    return this.status === 'loaded' ? this.current : undefined;
  }

  health(): ReferenceViewHealth {
    return { status: this.status, topics: [...this.kinds.keys()], sizes: this.current.sizes(), lastError: this.lastError };
  }

  /**
   * One attempt to connect, read the topics' ends and start consuming; resolves once the
   * consumer runs (loading goes on in the background), rejects leaving nothing running when
   * Kafka or a topic is missing. `backgroundFollower` retries it.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.status === 'loading' || this.status === 'loaded') return;
    this.status = 'starting';
    const probe = new Kafka({ clientId: 'orders-references-probe', brokers: this.options.brokers, connectionTimeout: 3_000, retry: { retries: 1 }, logLevel: logLevel.NOTHING });
    const admin = probe.admin();
    const consumer = this.kafka.consumer({ groupId: `orders-references.${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: this.options.maxWaitTimeInMs ?? IDLE_FETCH_WAIT_MS, heartbeatInterval: IDLE_HEARTBEAT_INTERVAL_MS, allowAutoTopicCreation: false });
    try {
      await admin.connect();
      const existing = new Set(await admin.listTopics());
      const missing = [...this.kinds.keys()].filter((t) => !existing.has(t));
      if (missing.length > 0) throw new Error(`topic(s) ${missing.join(', ')} do not exist (create them with \`oms topics create\`)`);
      this.pending.clear();
      for (const topic of this.kinds.keys()) {
        for (const { partition, high } of await admin.fetchTopicOffsets(topic)) if (Number(high) > 0) this.pending.set(`${topic}/${partition}`, Number(high));
      }
      if (signal?.aborted) throw new Error('stopped before the view started');
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => this.reached(payload.topic, payload.partition, Number(payload.lastOffset) + 1));
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        this.lastError = describeError(payload.error);
        if (payload.restart) return;
        // Not fatal to the service: the checks ask the services again until it restarts.
        this.status = 'crashed';
        this.log.error({ err: payload.error }, 'the reference view stopped; reference checks go to the customers and products services');
      });
      await consumer.connect();
      await consumer.subscribe({ topics: [...this.kinds.keys()], fromBeginning: true });
      this.status = 'loading';
      this.consumer = consumer;
      this.settle();
      await consumer.run({
        autoCommit: false,
        eachBatch: ({ batch }) => {
          const kind = this.kinds.get(batch.topic);
          if (kind) for (const m of batch.messages) this.current.apply(kind, m.key?.toString() ?? null, m.value?.toString() ?? null);
          return Promise.resolve();
        },
      });
    } catch (err) {
      this.consumer = undefined;
      this.status = 'starting';
      this.lastError = describeError(err);
      await consumer.disconnect().catch(() => {});
      throw err;
    } finally {
      await admin.disconnect().catch(() => {});
    }
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect().catch((err: unknown) => this.log.warn({ err }, 'error while disconnecting the reference view'));
    this.consumer = undefined;
    this.status = 'stopped';
  }

  private reached(topic: string, partition: number, next: number): void {
    const key = `${topic}/${partition}`;
    const end = this.pending.get(key);
    if (end !== undefined && next >= end) this.pending.delete(key);
    this.settle();
  }

  private settle(): void {
    if (this.status !== 'loading' || this.pending.size > 0) return;
    this.status = 'loaded';
    this.log.info(this.current.sizes(), 'reference view loaded; reference checks answer from it');
  }
}
