import { randomUUID } from 'node:crypto';
import { createLogger, type Logger } from '@oms/service-kit';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type IHeaders, type Producer } from 'kafkajs';
import type { StreamConfig, StreamTopics } from '../config.js';
import type { SourceKind } from '../domain/join.js';
import { OrdersStreamProcessor, type ProcessorOptions } from '../kafka/processor.js';
import { keyFor } from './fixtures.js';

/** Helpers for integration tests against the real broker. Nothing here is mocked. */

export const LOOKUP_KINDS = new Set<SourceKind>(['customer', 'address', 'products']);

export function testLogger(): Logger {
  return createLogger('orders-stream-test', process.env.OMS_TEST_LOG_LEVEL ?? 'silent');
}

/** Uniquely named topics (3 partitions; lookups compacted) for one test. */
export function uniqueTopics(prefix = 'oms-test'): StreamTopics {
  const run = `${prefix}-${Date.now().toString(36)}-${randomUUID().slice(0, 6)}`;
  return {
    order: `${run}.order`,
    orderDetail: `${run}.order_detail`,
    customer: `${run}.customer`,
    address: `${run}.address`,
    products: `${run}.products`,
    output: `${run}.orders-graph`,
    dlq: `${run}.dlq`,
  };
}

export async function createTopics(admin: Admin, topics: StreamTopics): Promise<void> {
  const compacted = new Set([topics.customer, topics.address, topics.products]);
  await admin.createTopics({
    waitForLeaders: true,
    topics: Object.values(topics).map((topic) => ({
      topic,
      numPartitions: 3,
      configEntries: compacted.has(topic) ? [{ name: 'cleanup.policy', value: 'compact' }] : [],
    })),
  });
  // A new topic's leaders take a moment to be known everywhere; until ListOffsets answers for
  // every partition, producers get NOT_LEADER / UNKNOWN_TOPIC_OR_PARTITION.
  const deadline = Date.now() + 15_000;
  for (const topic of Object.values(topics) as string[]) {
    for (;;) {
      try {
        if ((await admin.fetchTopicOffsets(topic)).length === 3) break;
        if (Date.now() > deadline) throw new Error(`topic ${topic} has not 3 partitions with leaders`);
      } catch (err) {
        if (Date.now() > deadline) throw err;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export function topicFor(topics: StreamTopics, kind: SourceKind): string {
  return { order: topics.order, order_detail: topics.orderDetail, customer: topics.customer, address: topics.address, products: topics.products }[kind];
}

/** A connected admin and plain producer; `close()` deletes nothing — topics are per run. */
export class TestKafka {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly producer: Producer;

  constructor(readonly brokers: string[]) {
    this.kafka = new Kafka({ clientId: 'orders-stream-test', brokers, logLevel: logLevel.NOTHING, connectionTimeout: 3_000 });
    this.admin = this.kafka.admin();
    this.producer = this.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  }

  async connect(): Promise<void> {
    await this.admin.connect();
    await this.producer.connect();
  }

  /** Produces rows as Debezium would (JSON key per topic) — or raw text for malformed ones. */
  async send(topics: StreamTopics, kind: SourceKind, value: Record<string, unknown> | string | null, key?: string): Promise<void> {
    await this.producer.send({
      topic: topicFor(topics, kind),
      messages: [{ key: key ?? keyFor(kind, typeof value === 'object' ? value : null), value: value === null ? null : typeof value === 'string' ? value : JSON.stringify(value) }],
    });
  }

  config(topics: StreamTopics, overrides: Partial<StreamConfig> = {}): StreamConfig {
    return {
      brokers: this.brokers,
      groupId: `orders-stream-test-${randomUUID().slice(0, 8)}`,
      clientId: 'orders-stream-test',
      instanceId: `it-${randomUUID().slice(0, 8)}`,
      sessionTimeoutMs: 6_000,
      topics,
      ...overrides,
    };
  }

  /** @param ports optional ports of the processor (e.g. a misbehaving `sendBatch`). */
  async startProcessor(config: StreamConfig, ports: Pick<ProcessorOptions, 'sendBatch'> = {}): Promise<OrdersStreamProcessor> {
    const processor = new OrdersStreamProcessor({ config, logger: testLogger(), ...ports });
    await processor.start();
    return processor;
  }

  async close(topics: StreamTopics[]): Promise<void> {
    await this.producer.disconnect();
    await this.admin.deleteTopics({ topics: topics.flatMap((t) => Object.values(t)) }).catch(() => undefined);
    await this.admin.disconnect();
  }
}

export interface Collected {
  key: string;
  value: string;
  headers: Record<string, string>;
  partition: number;
  offset: string;
}

/** Reads a topic from the beginning (read_committed) and lets a test wait for what it expects. */
export class Collector {
  readonly records: Collected[] = [];
  private consumer: Consumer;
  private waiters: Array<() => void> = [];

  constructor(kafka: Kafka, private readonly topic: string) {
    this.consumer = kafka.consumer({ groupId: `collector-${randomUUID()}`, maxWaitTimeInMs: 50 });
  }

  async start(): Promise<this> {
    await this.consumer.connect();
    await this.consumer.subscribe({ topic: this.topic, fromBeginning: true });
    await this.consumer.run({
      eachMessage: async ({ message, partition }) => {
        this.records.push({
          key: message.key?.toString() ?? '',
          value: message.value?.toString() ?? '',
          headers: decodeHeaders(message.headers),
          partition,
          offset: message.offset,
        });
        for (const w of this.waiters.splice(0)) w();
      },
    });
    return this;
  }

  /** Waits until `predicate(records)` holds; fails with what did arrive after `timeoutMs`. */
  async waitFor(predicate: (records: Collected[]) => boolean, timeoutMs = 30_000, what = 'records'): Promise<Collected[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.records)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} on ${this.topic}; got ${this.records.length}: ${this.records.map((r) => r.key).join(' | ')}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.records;
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = Array.isArray(v) ? String(v[0]) : String(v ?? '');
  return out;
}

/** The order ids of `orders-graph` records (payload of the Connect key). */
export const outputIds = (records: Collected[]): string[] => records.map((r) => (JSON.parse(r.key) as { payload: { id: string } }).payload.id);
