/**
 * kafkajs 2.2.4 (the services' and the CLI's client) against the Kafka the local runtime
 * runs (4.3.1): Kafka 4 dropped old protocol versions (KIP-896), so this proves the pieces
 * the system uses still work: topic creation, produce, a consumer group, and a transaction
 * that also commits the group's offsets (sendOffsets), read back read_committed.
 * Its own Kafka on ports shifted by OMS_RT_TEST_PORT_OFFSET + 1000 and its own state dir.
 */
import os from 'node:os';
import path from 'node:path';
import { Kafka, logLevel, type EachMessagePayload } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACT_VERSIONS, createLocalRuntime, defaultLocalSettings, findRepoRoot, withPortOffset } from './index.js';

const offset = Number(process.env.OMS_RT_TEST_PORT_OFFSET ?? 20000) + 1000;
const stateDir = path.join(os.tmpdir(), `oms-rt-kafka-compat-${offset}`);
const runtime = createLocalRuntime({ ...withPortOffset(defaultLocalSettings(findRepoRoot()), offset), stateDir });
const kafka = new Kafka({ clientId: 'kafka-compat', brokers: runtime.endpoints().kafkaBrokers, logLevel: logLevel.NOTHING });
const run = Date.now().toString(36);

beforeAll(async () => {
  await runtime.up({ only: ['kafka'] });
}, 300_000);

afterAll(async () => {
  await runtime.down({ volumes: true });
}, 120_000);

/** Consumes `count` messages of `topic` with a fresh group; resolves with their values. */
async function consume(topic: string, count: number, opts: { readUncommitted?: boolean } = {}): Promise<string[]> {
  const consumer = kafka.consumer({ groupId: `compat-read-${topic}`, readUncommitted: opts.readUncommitted ?? false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values: string[] = [];
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        eachMessage: async ({ message }) => {
          values.push(message.value!.toString());
          if (values.length === count) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return values;
}

describe(`kafkajs against Kafka ${ARTIFACT_VERSIONS.kafka}`, () => {
  it('when a topic is created and written, then a consumer group reads every message', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const topic = `compat-plain-${run}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    expect(meta.topics[0]?.partitions).toHaveLength(3);
    await admin.disconnect();

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: ['a', 'b', 'c', 'd'].map((v) => ({ key: v, value: v })) });
    await producer.disconnect();

    expect((await consume(topic, 4)).sort()).toEqual(['a', 'b', 'c', 'd']);
  }, 120_000);

  it('when a transaction sends results and the input offsets, then both commit together', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const input = `compat-tx-in-${run}`;
    const output = `compat-tx-out-${run}`;
    const groupId = `compat-tx-${run}`;
    await admin.createTopics({ topics: [{ topic: input, numPartitions: 3 }, { topic: output, numPartitions: 3 }], waitForLeaders: true });

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: input, messages: ['1', '2', '3'].map((v) => ({ key: v, value: v })) });
    await producer.disconnect();

    const tx = kafka.producer({ transactionalId: `compat-${run}`, idempotent: true, maxInFlightRequests: 1 });
    await tx.connect();
    const consumer = kafka.consumer({ groupId });
    await consumer.connect();
    await consumer.subscribe({ topic: input, fromBeginning: true });
    let handled = 0;
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ topic, partition, message }: EachMessagePayload) => {
            const t = await tx.transaction();
            try {
              await t.send({ topic: output, messages: [{ key: message.key, value: `x${message.value!.toString()}` }] });
              await t.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition, offset: (BigInt(message.offset) + 1n).toString() }] }] });
              await t.commit();
            } catch (err) {
              await t.abort();
              reject(err);
            }
            if (++handled === 3) resolve();
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    await tx.disconnect();

    const committed = await admin.fetchOffsets({ groupId, topics: [input] });
    const total = committed[0]!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    expect(total).toBe(3);
    await admin.disconnect();

    expect((await consume(output, 3)).sort()).toEqual(['x1', 'x2', 'x3']);
  }, 120_000);

  it('when a transaction is aborted, then a read_committed consumer never sees its messages', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const topic = `compat-abort-${run}`;
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const tx = kafka.producer({ transactionalId: `compat-abort-${run}`, idempotent: true, maxInFlightRequests: 1 });
    await tx.connect();
    const aborted = await tx.transaction();
    await aborted.send({ topic, messages: [{ value: 'ghost' }] });
    await aborted.abort();
    const committed = await tx.transaction();
    await committed.send({ topic, messages: [{ value: 'real' }] });
    await committed.commit();
    await tx.disconnect();

    expect(await consume(topic, 1)).toEqual(['real']);
  }, 120_000);
});
