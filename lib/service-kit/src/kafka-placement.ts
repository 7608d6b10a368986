import { Partitioners, type Message, type PartitionMetadata, type RecordMetadata, type TopicMessages } from 'kafkajs';

/**
 * Why records are placed on partitions before a send and the answer checked afterwards
 * ------------------------------------------------------------------------------------
 * kafkajs 2.2.4's `send`/`sendBatch` can resolve without having sent some of its records. It
 * keys the answers it already has by broker and, on a retry, sends only to brokers that have
 * not answered yet. When a broker dies mid-send, the retry finds the dead broker's partitions
 * led by a broker that already answered for another partition, and skips them: the call
 * succeeds, those records were never written. In a transaction that also commits input offsets
 * (orders-stream) or is followed by deleting what was sent (an outbox), that is a silent loss —
 * the lost orders of the three-broker kill (issue 10): five orders committed past in one
 * transaction whose output lacked them. So choose every record's partition up front
 * ({@link Placement}, the producer's own default partitioner) and refuse a send whose answer
 * does not name each of them ({@link unansweredPartitions}); aborting the transaction then
 * redoes the whole batch.
 */
/** Thrown when a send resolved without an answer for every partition its records went to. */
export class UnansweredPartitionsError extends Error {
  constructor(readonly missing: string[]) {
    super(`the broker did not answer for ${missing.join(', ')}: those records were not written (kafkajs skipped them on a retry after a leader moved)`);
    this.name = 'UnansweredPartitionsError';
  }
}

/** Chooses each record's partition up front, as the producer's own default partitioner would. */
export class Placement {
  private readonly partitioner = Partitioners.DefaultPartitioner();

  /** @param partitions each output topic's partitions, as the cluster's metadata lists them. */
  constructor(private readonly partitions: ReadonlyMap<string, PartitionMetadata[]>) {}

  /** The records with `partition` set; a topic not in the metadata is an error of the caller. */
  place(topic: string, messages: Message[]): TopicMessages {
    const partitionMetadata = this.partitions.get(topic);
    if (!partitionMetadata?.length) throw new Error(`no partition metadata for topic ${topic}`);
    return { topic, messages: messages.map((message) => ({ ...message, partition: this.partitioner({ topic, partitionMetadata, message }) })) };
  }
}

/**
 * `topic/partition` of every partition the records were placed on that the answer does not
 * name with error code 0. Records without a partition are the caller's mistake: see {@link Placement}.
 */
export function unansweredPartitions(sent: readonly TopicMessages[], answered: readonly RecordMetadata[]): string[] {
  const ok = new Set(answered.filter((r) => r.errorCode === 0).map((r) => `${r.topicName}/${r.partition}`));
  const expected = new Set<string>();
  for (const { topic, messages } of sent) {
    for (const m of messages) {
      if (m.partition === undefined) throw new Error(`a record for ${topic} was sent without a partition`);
      expected.add(`${topic}/${m.partition}`);
    }
  }
  return [...expected].filter((tp) => !ok.has(tp)).sort();
}
