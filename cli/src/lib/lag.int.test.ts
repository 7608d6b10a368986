/**
 * A consumer group's progress against the real Kafka of the test infrastructure (its own
 * topic and groups): a group with committed offsets but no member is "unknown", not caught up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { kafkaClient, withAdmin, withProducer } from './kafka.js';
import { describeProgress, groupProgress } from './lag.js';
import { pollUntil } from './retry.js';

const infra = testInfra();
const topic = `oms-lag-test-${process.pid}`;
const idle = `oms-lag-test-idle-${process.pid}`;
const live = `oms-lag-test-live-${process.pid}`;

beforeAll(async () => {
  await withAdmin(infra.kafkaBrokers, (admin) => admin.createTopics({ topics: [{ topic, numPartitions: 2 }] }));
  await withProducer(infra.kafkaBrokers, (p) => p.send({ topic, messages: [{ key: 'a', value: '1', partition: 0 }, { key: 'b', value: '2', partition: 0 }] }));
  // Offsets committed by a consumer that is gone: what a stopped processor leaves behind.
  await withAdmin(infra.kafkaBrokers, (admin) => admin.setOffsets({ groupId: idle, topic, partitions: [{ partition: 0, offset: '2' }] }));
});

afterAll(async () => {
  await withAdmin(infra.kafkaBrokers, async (admin) => {
    await admin.deleteGroups([idle, live]).catch(() => undefined);
    await admin.deleteTopics({ topics: [topic] });
  });
});

describe('groupProgress', () => {
  it('when a group has committed offsets but no member, then its lag is unknown and the committed offsets are there', async () => {
    const p = await withAdmin(infra.kafkaBrokers, (admin) => groupProgress(admin, idle, [topic]));
    expect(p.members).toBe(0);
    expect(p.total).toBeNull();
    expect(describeProgress(p)).toBe('unknown — no member in the group');
    expect(p.partitions.map((r) => [r.partition, r.committed, r.end])).toEqual([
      [0, '2', '2'],
      [1, null, '0'],
    ]);
  });

  it('when a member consumes the group, then it is counted and the lag is a number', async () => {
    const consumer = kafkaClient(infra.kafkaBrokers, 'oms-lag-test').consumer({ groupId: live, sessionTimeout: 10_000 });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async () => undefined });
      const p = await pollUntil(
        async () => {
          const progress = await withAdmin(infra.kafkaBrokers, (admin) => groupProgress(admin, live, [topic]));
          return progress.members > 0 && progress.total === 0 ? progress : undefined;
        },
        { timeoutMs: 30_000, minDelayMs: 250, onTimeout: () => new Error('the consumer never joined and caught up') },
      );
      expect(p.members).toBe(1);
      expect(describeProgress(p)).toBe('caught up');
    } finally {
      await consumer.disconnect();
    }
  });
});
