import type { Logger } from '@oms/service-kit';
import { kafkaLogCreator, kafkaLogLevel, Placement, UnansweredPartitionsError, unansweredPartitions } from '@oms/service-kit/kafka';
import { Kafka, logLevel, Partitioners, type Producer } from 'kafkajs';
import type { ChangeRecord } from '../domain/inventory.js';

const BOUNDED_RETRIES_WARNING = 'Limiting retries for the idempotent producer';

export interface KafkaChangeSinkOptions {
  brokers: string[];
  /** The compacted topic keyed by SKU (`inventory`). */
  topic: string;
  /**
   * Shared by every instance that may publish this outbox: a new holder of the id fences the
   * previous one, so a publisher that lost its lease cannot write after its successor began.
   */
  transactionalId: string;
  logger: Logger;
  clientId?: string;
}

/**
 * Writes change records to the `inventory` topic, keyed by SKU (so one SKU's records stay in one
 * partition, in order), each batch in one Kafka transaction: idempotent, acks from every
 * in-sync replica, all or nothing. The transactional id is the fence behind the publisher's
 * lease: {@link open} claims it, which aborts whatever a previous holder left open and makes
 * that holder's later writes fail. After any failure the producer is dropped, and the next
 * {@link open} (made only while holding the lease) claims the id afresh.
 */
export class KafkaChangeSink {
  private readonly kafka: Kafka;
  private producer: Producer | undefined;
  /** Each record's partition, chosen before sending: kafkajs can skip some on a retry (kafka-placement.ts in service-kit). */
  private placement: Placement | undefined;

  constructor(private readonly options: KafkaChangeSinkOptions) {
    const write = kafkaLogCreator(options.logger.child({ component: 'kafkajs' }));
    this.kafka = new Kafka({
      clientId: options.clientId ?? 'inventory-outbox',
      brokers: options.brokers,
      connectionTimeout: 3_000,
      logLevel: kafkaLogLevel(options.logger.level),
      // kafkajs warns at every start that bounded retries "may invalidate EoS guarantees": a send
      // that gives up here is aborted with its transaction and sent again whole, so it is only noise.
      logCreator: (level) => {
        const log = write(level);
        return (entry) => log(entry.log.message.startsWith(BOUNDED_RETRIES_WARNING) ? { ...entry, level: logLevel.DEBUG } : entry);
      },
    });
  }

  /** True between a successful {@link open} and the next failure or {@link close}. */
  get isOpen(): boolean {
    return this.producer !== undefined;
  }

  /** Connects, reads the topic's partitions and claims the transactional id (fencing any previous holder). Idempotent. */
  async open(): Promise<void> {
    if (this.producer) return;
    const producer = this.kafka.producer({
      transactionalId: this.options.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      // `oms topics create` makes the topic compacted; an auto-created one would not be.
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // A send that cannot finish gives up within seconds (well inside the lease); the publisher tries again.
      retry: { initialRetryTime: 100, maxRetryTime: 1_000, retries: 3 },
    });
    try {
      await producer.connect();
      const admin = this.kafka.admin();
      await admin.connect();
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [this.options.topic] });
        this.placement = new Placement(new Map(topics.map((t) => [t.name, t.partitions])));
      } finally {
        await admin.disconnect();
      }
      // kafkajs claims the transactional id lazily, at the first transaction: claim it now, so the
      // previous holder is fenced before we publish anything.
      const claim = await producer.transaction();
      await claim.abort();
    } catch (err) {
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
    this.producer = producer;
  }

  /** Publishes `records` in one transaction; on failure nothing is visible and the producer is dropped. */
  async publish(records: readonly ChangeRecord[]): Promise<void> {
    if (!this.producer || !this.placement) throw new Error('the change sink is not open');
    const { producer, placement } = this;
    try {
      const transaction = await producer.transaction();
      try {
        const placed = placement.place(this.options.topic, records.map((r) => ({ key: r.sku, value: JSON.stringify(r) })));
        const missing = unansweredPartitions([placed], await transaction.send({ ...placed, acks: -1 }));
        // Committing, and then deleting the outbox entries, would lose the records never written.
        if (missing.length) throw new UnansweredPartitionsError(missing);
        await transaction.commit();
      } catch (err) {
        await transaction.abort().catch(() => undefined);
        throw err;
      }
    } catch (err) {
      // Fenced, or the broker went away mid-transaction: start over with a fresh claim.
      this.producer = undefined;
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect();
  }
}
