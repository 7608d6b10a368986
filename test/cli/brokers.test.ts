/**
 * `oms up --brokers 3 --scale orders-stream=2` on an isolated stack (own state dir, ports
 * +23000): three KRaft brokers and two processors in one consumer group make a working
 * pipeline (a smoke order goes end to end), every pipeline topic is on all three brokers with
 * `min.insync.replicas` 2, the state dir remembers the topology, and switching to one broker
 * over the three-broker data is refused naming `oms down --volumes`. About two and a half
 * minutes; the stack is stopped and deleted afterwards.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TOPIC_RESOURCE } from '../../cli/src/lib/kafka.js';
import { pollUntil } from '../../cli/src/lib/retry.js';
import { DESIRED_TOPICS } from '../../cli/src/lib/topics.js';
import { errorEnvelope, okEnvelope, oms, parseJson, schemas, shiftedStack } from './helpers.js';

const stack = shiftedStack('brokers', { OMS_SEED_PRODUCTS: '5', OMS_SEED_CUSTOMERS: '2', OMS_SEED_ORDERS: '2' });
afterAll(() => stack.cleanup(), 180_000);

const kafkaPort = Number(stack.env.OMS_PORT_KAFKA);
const brokers = [0, 2, 4].map((d) => `127.0.0.1:${kafkaPort + d}`);
const statusData = okEnvelope('status', schemas.status).shape.data;

async function status() {
  const res = await oms(['status', '--json'], { env: stack.env });
  return statusData.parse((parseJson(res.stdout) as { data: unknown }).data);
}

/** Replica counts and the effective min.insync.replicas of every pipeline topic, read from the brokers. */
async function replication(): Promise<Array<{ topic: string; replicas: number[]; minInsync: string | undefined }>> {
  const admin = new Kafka({ clientId: 'oms-cli-brokers-test', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const names = DESIRED_TOPICS.map((t) => t.name);
    const { topics } = await admin.fetchTopicMetadata({ topics: names });
    const configs = await admin.describeConfigs({ includeSynonyms: false, resources: names.map((name) => ({ type: TOPIC_RESOURCE, name, configNames: ['min.insync.replicas'] })) });
    return topics.map((t) => ({
      topic: t.name,
      replicas: t.partitions.map((p) => p.replicas.length),
      minInsync: configs.resources.find((r) => r.resourceName === t.name)?.configEntries.find((e) => e.configName === 'min.insync.replicas')?.configValue,
    }));
  } finally {
    await admin.disconnect();
  }
}

describe('oms up --brokers 3 --scale orders-stream=2', () => {
  it('when a three-broker stack with two processors is brought up, then a smoke order goes through, status lists three brokers and two instances in one group, and every topic has RF 3 and min.insync.replicas 2', async () => {
    const up = await oms(['up', '--brokers', '3', '--scale', 'orders-stream=2', '--no-console', '--json'], { env: stack.env, timeoutMs: 900_000 });
    expect(up.exitCode, up.stderr).toBe(0);

    const smoke = await oms(['smoke'], { env: stack.env, timeoutMs: 300_000 });
    expect(smoke.exitCode, `${smoke.stdout}\n${smoke.stderr}`).toBe(0);

    // The group settles to both members once both instances have joined (a rebalance may still run after smoke).
    const s = await pollUntil(async () => {
      const r = await status();
      return r.lag?.members === 2 ? r : undefined;
    }, { timeoutMs: 60_000, minDelayMs: 1000, onTimeout: () => new Error('the orders-stream group never had 2 members') });
    const ready = s.components.filter((c) => c.state === 'ready').map((c) => c.id);
    expect(ready).toEqual(expect.arrayContaining(['kafka', 'kafka-2', 'kafka-3', 'orders-stream', 'orders-stream-2']));
    expect(s.components.filter((c) => /^kafka(-\d)?$/.test(c.id)).map((c) => c.url)).toEqual(brokers);
    expect(s.healthy).toBe(true);

    const topics = await replication();
    expect(topics.map((t) => t.topic).sort()).toEqual(DESIRED_TOPICS.map((t) => t.name).sort());
    for (const t of topics) {
      expect(t.replicas, t.topic).toEqual([3, 3, 3]);
      expect(t.minInsync, t.topic).toBe('2');
    }
  });

  it('when oms up runs again without options, then the state dir keeps three brokers and two instances', async () => {
    const up = await oms(['up', '--no-console', '--no-seed'], { env: stack.env, timeoutMs: 300_000 });
    expect(up.exitCode, up.stderr).toBe(0);
    const ids = (await status()).components.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['kafka-2', 'kafka-3', 'orders-stream-2']));
  });

  it('when one broker is asked for over the three-broker data, then it is refused naming oms down --volumes and nothing changes', async () => {
    const res = await oms(['up', '--brokers', '1', '--no-console', '--json'], { env: stack.env, timeoutMs: 120_000 });
    expect(res.exitCode).toBe(2);
    const { error } = errorEnvelope.parse(parseJson(res.stdout));
    expect(error.message).toBe("--brokers 1: this stack's Kafka data was made by 3 broker(s)");
    expect(error.hint).toContain('oms down --volumes');
    expect((await status()).components.find((c) => c.id === 'kafka-3')?.state).toBe('ready');
  });

  it('when --brokers 2 or --scale foo=2 is given, then it is a usage error before anything starts', async () => {
    for (const args of [['--brokers', '2'], ['--scale', 'foo=2'], ['--scale', 'orders-stream=0']]) {
      const res = await oms(['up', ...args, '--json'], { env: stack.env });
      expect(res.exitCode, args.join(' ')).toBe(2);
      expect(z.object({ error: z.object({ message: z.string() }) }).parse(parseJson(res.stdout)).error.message).toMatch(/^--(brokers|scale) /);
    }
  });
});
