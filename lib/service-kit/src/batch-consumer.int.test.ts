import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { BatchConsumer } from './batch-consumer.js';
import { silentLogger } from './logger.js';

const brokers = (process.env.OMS_TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

describe('BatchConsumer commits', () => {
  it('when batches are applied within the commit interval, then their offsets wait for one commit, and a stop commits them before leaving', async () => {
    const kafka = new Kafka({ brokers, logLevel: logLevel.NOTHING, clientId: 'batch-consumer-commit-test' });
    const topic = `batch-consumer-commit-test-${randomUUID()}`;
    const groupId = `${topic}-group`;
    const admin = kafka.admin();
    const producer = kafka.producer();
    await admin.connect();
    const applied: string[] = [];
    const consumer = new BatchConsumer({
      brokers,
      groupId,
      topic,
      logger: silentLogger(),
      what: 'note the records',
      commitIntervalMs: 10_000,
      prepare: (batch) => async () => {
        applied.push(...batch.messages.map((m) => m.value?.toString() ?? ''));
      },
    });
    const committed = async () => (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]?.partitions[0]?.offset;
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
      await producer.connect();
      await consumer.start();
      for (let i = 0; i < 5; i++) {
        await producer.send({ topic, messages: [{ value: String(i) }] });
        await until(() => applied.length === i + 1);
      }
      expect(consumer.health().totals.batches).toBe(5);
      // Applied, not yet committed: the interval (10 s) is not over.
      expect(await committed()).toBe('-1');
      await consumer.stop();
      expect(await committed()).toBe('5');
      expect(applied).toEqual(['0', '1', '2', '3', '4']);
    } finally {
      await consumer.stop();
      await producer.disconnect();
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin.disconnect();
    }
  });
});
