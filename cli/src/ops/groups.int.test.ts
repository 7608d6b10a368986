/** Consumer groups against the real Kafka of the test infrastructure, with a group and a topic of this test's own. */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { testOpsContext } from '../../../test/ops-context.js';
import { kafkaClient, withAdmin } from '../lib/kafka.js';
import { READER_GROUP_PREFIX } from '../lib/topic-reader.js';
import { describeGroups, PIPELINE_GROUPS } from './groups.js';
import { followTopic } from './records.js';

const brokers = testInfra().kafkaBrokers;
const run = randomUUID().slice(0, 8);
const TOPIC = `oms-test-groups-${run}`;
const GROUP = `oms-test-group-${run}`;
const stateDir = mkdtempSync(join(tmpdir(), 'oms-groups-'));
const ctx = testOpsContext({ stateDir });
let consumer: Consumer;

beforeAll(async () => {
  await withAdmin(brokers, (admin) => admin.createTopics({ waitForLeaders: true, topics: [{ topic: TOPIC, numPartitions: 2, replicationFactor: 1 }] }));
  const producer = kafkaClient(brokers).producer();
  await producer.connect();
  await producer.send({ topic: TOPIC, messages: Array.from({ length: 5 }, (_, i) => ({ partition: 0, value: `v${i}` })) });
  await producer.disconnect();
  // A member that stays in the group, having committed 2 of the 5 records of partition 0.
  consumer = kafkaClient(brokers, 'oms-groups-test').consumer({ groupId: GROUP, sessionTimeout: 10_000 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
  await consumer.run({ autoCommit: false, eachMessage: async () => consumer.pause([{ topic: TOPIC }]) });
  await joined;
  await consumer.commitOffsets([{ topic: TOPIC, partition: 0, offset: '2' }]);
}, 60_000);

afterAll(async () => {
  await consumer?.disconnect();
  await withAdmin(brokers, async (admin) => {
    await admin.deleteGroups([GROUP]).catch(() => undefined);
    await admin.deleteTopics({ topics: [TOPIC] });
  }).catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('describeGroups', () => {
  it('when a group has a member and committed offsets, then its members, partitions and lag per partition are reported', async () => {
    const groups = await describeGroups(ctx);
    const mine = groups.find((g) => g.group === GROUP)!;
    expect(mine).toMatchObject({ role: null, state: 'Stable', totalLag: 3 });
    expect(mine.members).toHaveLength(1);
    expect(mine.members[0]).toMatchObject({ clientId: 'oms-groups-test', assignment: [{ topic: TOPIC, partitions: [0, 1] }] });
    expect(mine.partitions).toEqual([
      { topic: TOPIC, partition: 0, committed: '2', end: '5', lag: 3 },
      { topic: TOPIC, partition: 1, committed: null, end: '0', lag: 0 },
    ]);
  });

  it('when groups are listed, then the pipeline groups come first with what each is, known to the broker or not', async () => {
    const groups = await describeGroups(ctx);
    const first = groups.slice(0, PIPELINE_GROUPS.length);
    expect(first.map((g) => g.group)).toEqual(PIPELINE_GROUPS.map((g) => g.id));
    expect(first.every((g) => g.role !== null)).toBe(true);
  });

  it('when a reader of the console or the CLI is running, then its throwaway group is left out', async () => {
    const controller = new AbortController();
    const records = await followTopic({ ...ctx, signal: controller.signal }, { topic: TOPIC, signal: controller.signal });
    const following = (async () => {
      // Drained until the abort in finally.
      for await (const record of records) expect(record.topic).toBe(TOPIC);
    })();
    try {
      // The reader's group exists on the broker...
      let readers: string[] = [];
      for (let i = 0; i < 100 && readers.length === 0; i++) {
        readers = await withAdmin(brokers, async (admin) => (await admin.listGroups()).groups.map((g) => g.groupId).filter((g) => g.startsWith(READER_GROUP_PREFIX)));
        if (readers.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      expect(readers.length).toBeGreaterThan(0);
      // ...and is not among the groups shown.
      const shown = (await describeGroups(ctx)).map((g) => g.group);
      expect(shown.filter((g) => readers.includes(g))).toEqual([]);
    } finally {
      controller.abort();
      await following;
    }
  });
});
