import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { cacheKafkaCoordinators } from './kafka-coordinator-cache.js';
import { eventually } from './testing.js';

const brokers = (process.env.OMS_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

describe('cacheKafkaCoordinators', () => {
  it('when a transactional producer commits transactions and offsets with cached coordinators, then every transaction and offset reaches Kafka', async () => {
    cacheKafkaCoordinators();
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING, clientId: 'coordinator-cache-test' });
    const topic = `coordinator-cache-test-${randomUUID()}`;
    const groupId = `${topic}-group`;
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer({ transactionalId: topic, idempotent: true, maxInFlightRequests: 1 });
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await producer.connect();
      for (let i = 0; i < 5; i++) {
        const txn = await producer.transaction();
        await txn.send({ topic, messages: [{ key: 'k', value: String(i) }] });
        await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: String(i + 1) }] }] });
        await txn.commit();
      }
      // Five records and five commit markers. The broker writes a commit's markers after it has
      // answered EndTxn, so the last may land a moment after commit() resolved.
      const high = await eventually(
        async () => (await admin.fetchTopicOffsets(topic))[0]?.high,
        (h) => h === '10',
        { timeoutMs: 10_000, what: 'five records and five commit markers on the topic' },
      );
      expect(high).toBe('10');
      // The group's offset is made visible by a marker on __consumer_offsets, written the same way.
      const offset = await eventually(
        async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset,
        (o) => o === '5',
        { timeoutMs: 10_000, what: "the last transaction's offset committed for the group" },
      );
      expect(offset).toBe('5');
    } finally {
      await producer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
