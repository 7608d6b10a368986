/**
 * `oms up --brokers 3 --scale orders-stream=2` on an isolated stack (own state dir, ports
 * +23000): three KRaft brokers and two processors in one consumer group make a working
 * pipeline (a smoke order goes end to end), every pipeline topic is on all three brokers with
 * `min.insync.replicas` 2, the state dir remembers the topology, and switching to one broker
 * over the three-broker data is refused naming `oms down --volumes`. About two and a half
 * minutes; the stack is stopped and deleted afterwards.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { expectOneBrokerRefused, expectThreeBrokersTwoProcessors, oms, parseJson, shiftedStack, statusOf } from './helpers.js';

const stack = shiftedStack('brokers', { OMS_SEED_PRODUCTS: '5', OMS_SEED_CUSTOMERS: '2', OMS_SEED_ORDERS: '2' });
afterAll(() => stack.cleanup(), 180_000);

const kafkaPort = Number(stack.env.OMS_PORT_KAFKA);
const brokers = [0, 2, 4].map((d) => `127.0.0.1:${kafkaPort + d}`);

describe('oms up --brokers 3 --scale orders-stream=2', () => {
  it('when a three-broker stack with two processors is brought up, then a smoke order goes through, status lists three brokers and two instances in one group, and every topic has RF 3 and min.insync.replicas 2', async () => {
    const up = await oms(['up', '--brokers', '3', '--scale', 'orders-stream=2', '--no-console', '--json'], { env: stack.env, timeoutMs: 900_000 });
    expect(up.exitCode, up.stderr).toBe(0);

    await expectThreeBrokersTwoProcessors(stack.env, brokers);
  });

  it('when oms up runs again without options, then the state dir keeps three brokers and two instances', async () => {
    const up = await oms(['up', '--no-console', '--no-seed'], { env: stack.env, timeoutMs: 300_000 });
    expect(up.exitCode, up.stderr).toBe(0);
    const ids = (await statusOf(stack.env)).components.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['kafka-2', 'kafka-3', 'orders-stream-2']));
  });

  it('when one broker is asked for over the three-broker data, then it is refused naming oms down --volumes and nothing changes', async () => {
    const res = await oms(['up', '--brokers', '1', '--no-console', '--json'], { env: stack.env, timeoutMs: 120_000 });
    await expectOneBrokerRefused(res, stack.env);
  });

  it('when --brokers 2 or --scale foo=2 is given, then it is a usage error before anything starts', async () => {
    for (const args of [['--brokers', '2'], ['--scale', 'foo=2'], ['--scale', 'orders-stream=0']]) {
      const res = await oms(['up', ...args, '--json'], { env: stack.env });
      expect(res.exitCode, args.join(' ')).toBe(2);
      expect(z.object({ error: z.object({ message: z.string() }) }).parse(parseJson(res.stdout)).error.message).toMatch(/^--(brokers|scale) /);
    }
  });
});
