/**
 * Reading and following a topic against the real Kafka of the test infrastructure, on
 * topics of this test's own (a plain one and one written in transactions, whose commit
 * markers take offsets).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { testOpsContext } from '../../../test/ops-context.js';
import { NotFoundError, UsageError } from '../errors.js';
import { kafkaClient, withAdmin } from '../lib/kafka.js';
import { followTopic, readRecords, type TopicRecord } from './records.js';

const brokers = testInfra().kafkaBrokers;
const stateDir = mkdtempSync(join(tmpdir(), 'oms-records-'));
const ctx = testOpsContext({ stateDir });
const run = randomUUID().slice(0, 8);
const PLAIN = `oms-test-records-${run}`;
const TX = `oms-test-records-tx-${run}`;

beforeAll(async () => {
  await withAdmin(brokers, (admin) => admin.createTopics({ waitForLeaders: true, topics: [PLAIN, TX].map((topic) => ({ topic, numPartitions: 3, replicationFactor: 1 })) }));
  const producer = kafkaClient(brokers).producer();
  await producer.connect();
  // partition 0: offsets 0..9 (JSON with a header), partition 1: text and a tombstone, partition 2: empty
  await producer.send({ topic: PLAIN, messages: Array.from({ length: 10 }, (_, i) => ({ partition: 0, key: `k${i}`, value: JSON.stringify({ n: i }), headers: { source: 'test' } })) });
  await producer.send({ topic: PLAIN, messages: [{ partition: 1, key: 'text', value: 'plain words' }, { partition: 1, key: 'gone', value: null }] });
  await producer.disconnect();
  const tx = kafkaClient(brokers).producer({ transactionalId: `oms-test-records-${run}`, idempotent: true, maxInFlightRequests: 1 });
  await tx.connect();
  for (let i = 0; i < 4; i++) {
    const t = await tx.transaction();
    await t.send({ topic: TX, messages: [{ partition: 0, key: `t${i}`, value: JSON.stringify({ t: i }) }] });
    await t.commit();
  }
  await tx.disconnect();
}, 60_000);

afterAll(async () => {
  await withAdmin(brokers, (admin) => admin.deleteTopics({ topics: [PLAIN, TX] })).catch(() => undefined);
  rmSync(stateDir, { recursive: true, force: true });
});

describe('readRecords', () => {
  it('when the latest records are asked, then each partition gives its last N in offset order, decoded', async () => {
    const r = await readRecords(ctx, { topic: PLAIN, from: 'latest', limit: 3 });
    expect(r.complete).toBe(true);
    expect(r.records.map((x) => `${x.partition}@${x.offset}`)).toEqual(['0@7', '0@8', '0@9', '1@0', '1@1']);
    const last = r.records[2]!;
    expect(last.key).toEqual({ format: 'text', data: 'k9' });
    expect(last.value).toEqual({ format: 'json', data: { n: 9 } });
    expect(last.headers).toEqual({ source: 'test' });
    expect(Date.parse(last.timestamp)).toBeGreaterThan(Date.now() - 600_000);
    expect(r.records[3]!.value).toEqual({ format: 'text', data: 'plain words' });
    expect(r.records[4]!.value).toEqual({ format: 'null', data: null });
  });

  it('when records are asked from an offset of one partition, then they start there', async () => {
    const r = await readRecords(ctx, { topic: PLAIN, partition: 0, from: { offset: '4' }, limit: 3 });
    expect(r.records.map((x) => x.offset)).toEqual(['4', '5', '6']);
    expect(r.partitions).toEqual([{ partition: 0, low: '0', high: '10', from: '4', to: '7' }]);
  });

  it('when a topic is written in transactions, then the latest records are found behind the commit markers', async () => {
    const r = await readRecords(ctx, { topic: TX, partition: 0, from: 'latest', limit: 2 });
    expect(r.complete).toBe(true);
    expect(r.records.map((x) => x.value)).toEqual([
      { format: 'json', data: { t: 2 } },
      { format: 'json', data: { t: 3 } },
    ]);
  });

  it('when the offset is out of range, then a usage error names the valid offsets', async () => {
    const err = await readRecords(ctx, { topic: PLAIN, partition: 0, from: { offset: '10' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(`offset 10 is out of range for topic ${PLAIN}`);
    expect((err as UsageError).details).toEqual(['partition 0: 0–9']);
  });

  it('when the topic does not exist, then it is a not-found error listing the topics there are', async () => {
    const err = await readRecords(ctx, { topic: `oms-test-no-such-${run}`, from: 'latest' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).hint).toContain(PLAIN);
  });

  it('when the partition does not exist, then a usage error names the partitions there are', async () => {
    const err = await readRecords(ctx, { topic: PLAIN, partition: 3, from: 'latest' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(`topic ${PLAIN} has no partition 3`);
    expect((err as UsageError).hint).toBe('its partitions are 0–2');
  });
});

describe('followTopic', () => {
  it('when records are produced while following, then they arrive decoded, and aborting ends the iteration', async () => {
    const controller = new AbortController();
    const records = await followTopic({ ...ctx, signal: controller.signal }, { topic: PLAIN, partition: 2, signal: controller.signal });
    const seen: TopicRecord[] = [];
    const done = (async () => {
      for await (const r of records) {
        seen.push(r);
        if (seen.length === 2) controller.abort();
      }
    })();
    // The reader joins its group first; keep producing until it has seen two records.
    const producer = kafkaClient(brokers).producer();
    await producer.connect();
    for (let i = 0; i < 60 && seen.length < 2; i++) {
      await producer.send({ topic: PLAIN, messages: [{ partition: 2, key: `live${i}`, value: JSON.stringify({ live: i }) }, { partition: 1, key: 'other', value: 'not followed' }] });
      await new Promise((r) => setTimeout(r, 250));
    }
    await producer.disconnect();
    await done;
    expect(seen).toHaveLength(2);
    expect(seen.every((r) => r.partition === 2 && r.value.format === 'json')).toBe(true);
  });

  it('when following from the beginning, then the existing records come first', async () => {
    const controller = new AbortController();
    const records = await followTopic({ ...ctx, signal: controller.signal }, { topic: PLAIN, partition: 0, fromBeginning: true, signal: controller.signal });
    const offsets: string[] = [];
    for await (const r of records) {
      offsets.push(r.offset);
      if (offsets.length === 3) break;
    }
    expect(offsets).toEqual(['0', '1', '2']);
  });

  it('when the topic does not exist, then following fails at once with a not-found error', async () => {
    const err = await followTopic(ctx, { topic: `oms-test-no-such-${run}`, signal: new AbortController().signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
  });
});
