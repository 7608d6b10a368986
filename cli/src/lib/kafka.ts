import { Placement, stopIdleKafkaSpin, unansweredPartitions } from '@oms/service-kit/kafka';
import { Kafka, logLevel, type Admin, type ConfigResourceTypes, type Message, type Producer, type RecordMetadata, type TopicMessages } from 'kafkajs';
import { ExternalError } from '../errors.js';
import type { ExistingTopic } from './topics.js';

// kafkajs warns about its v2 partitioner change on every producer; we rely on the default
// (murmur2, Java-compatible), so the warning is noise.
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
// The console keeps Kafka connections open for as long as it runs: without this they spin when idle.
stopIdleKafkaSpin();

/** A kafkajs client with quiet logging and short timeouts suitable for a CLI. */
export function kafkaClient(brokers: string[], clientId = 'oms-cli'): Kafka {
  return new Kafka({
    clientId,
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 3000,
    requestTimeout: 15000,
    retry: { retries: 3, initialRetryTime: 200 },
  });
}

/** A kafkajs client that connects and disconnects (admin, producer, consumer). */
interface Connectable {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}

/** Runs `fn` with `client` connected, always disconnecting; a failed connect becomes an ExternalError. */
async function withConnected<C extends Connectable, T>(client: C, brokers: string[], fn: (client: C) => Promise<T>): Promise<T> {
  try {
    await client.connect();
  } catch (err) {
    throw new ExternalError(`cannot reach Kafka at ${brokers.join(',')}`, { cause: err, hint: 'start the stack with `oms up` (or check `oms status`)' });
  }
  try {
    return await fn(client);
  } finally {
    await client.disconnect().catch(() => {});
  }
}

/** Runs `fn` with a connected admin client, always disconnecting; connection failures become ExternalError. */
export function withAdmin<T>(brokers: string[], fn: (admin: Admin) => Promise<T>): Promise<T> {
  return withConnected(kafkaClient(brokers).admin(), brokers, fn);
}

/** Runs `fn` with a connected idempotent producer, always disconnecting. */
export function withProducer<T>(brokers: string[], fn: (producer: Producer) => Promise<T>): Promise<T> {
  return withConnected(kafkaClient(brokers).producer({ idempotent: true, maxInFlightRequests: 1 }), brokers, fn);
}

/**
 * Writes keyed records to `topic` and makes sure Kafka confirmed each one. kafkajs 2.2.4 can
 * resolve a send without having sent the records of a partition whose leader moved mid-send
 * (see `Placement` in `@oms/service-kit/kafka`), so every record's partition is chosen up front
 * and the records of a partition the answer does not name are sent again, up to `attempts`
 * sends in all. Sending a keyed record twice is harmless to the readers here (the products
 * indexer is idempotent by key).
 */
export async function publishAll(brokers: string[], topic: string, messages: Message[], attempts = 3): Promise<void> {
  const partitions = await withAdmin(brokers, async (admin) => (await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]?.partitions ?? []).catch((err: unknown) => {
    if (err instanceof ExternalError) throw err;
    throw new ExternalError(`cannot read the partitions of topic ${topic}`, { cause: err, hint: 'create the topics with `oms up` (or `oms topics create`)' });
  });
  if (partitions.length === 0) throw new ExternalError(`topic ${topic} has no partitions`, { hint: 'create the topics with `oms up` (or `oms topics create`)' });
  const placed = new Placement(new Map([[topic, partitions]])).place(topic, messages);
  await withProducer(brokers, (producer) => sendUntilConfirmed((batch) => producer.send({ ...batch, acks: -1 }), placed, attempts));
}

/**
 * Sends `placed` (records with their partitions) and then, again, the records of every
 * partition the answer left out, until all are confirmed or `attempts` sends were made.
 */
export async function sendUntilConfirmed(send: (batch: TopicMessages) => Promise<RecordMetadata[]>, placed: TopicMessages, attempts: number): Promise<void> {
  let pending = placed;
  for (let attempt = 1; ; attempt++) {
    const missing = unansweredPartitions([pending], await send(pending));
    if (missing.length === 0) return;
    if (attempt >= attempts) {
      throw new ExternalError(`Kafka did not confirm the records sent to ${missing.join(', ')} (${attempts} sends)`, { hint: 'check the brokers with `oms status`, then run the command again' });
    }
    const left = new Set(missing);
    pending = { topic: pending.topic, messages: pending.messages.filter((m) => left.has(`${pending.topic}/${String(m.partition)}`)) };
  }
}

/** kafkajs' ConfigResourceTypes.TOPIC (its enum is not reachable as an ESM named export). */
// eslint-disable-next-line @typescript-eslint/no-unsafe-enum-assignment -- the enum's value written out, for the reason above
export const TOPIC_RESOURCE = 2 as ConfigResourceTypes.TOPIC;

/** Partitions and (non-default) configs of the named topics that exist. */
export async function describeTopics(admin: Admin, names: string[]): Promise<ExistingTopic[]> {
  const all = new Set(await admin.listTopics());
  const present = names.filter((n) => all.has(n));
  if (present.length === 0) return [];
  const meta = await admin.fetchTopicMetadata({ topics: present });
  const configs = await admin.describeConfigs({ includeSynonyms: false, resources: present.map((name) => ({ type: TOPIC_RESOURCE, name })) });
  const byTopic = new Map(configs.resources.map((r) => [r.resourceName, r.configEntries]));
  return meta.topics.map((t) => {
    const entries = byTopic.get(t.name) ?? [];
    const config = Object.fromEntries(entries.map((e) => [e.configName, e.configValue]));
    // configSource 1 = DYNAMIC_TOPIC_CONFIG: what was set on this topic, as opposed to defaults.
    const overrides = Object.fromEntries(entries.filter((e) => (e as { configSource?: number }).configSource === 1).map((e) => [e.configName, e.configValue]));
    return { name: t.name, partitions: t.partitions.length, config, overrides };
  });
}

export interface PartitionOffsets {
  partition: number;
  low: string;
  high: string;
}

/** Earliest and end offsets per partition. */
export async function topicOffsets(admin: Admin, topic: string): Promise<PartitionOffsets[]> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high })).sort((a, b) => a.partition - b.partition);
}
