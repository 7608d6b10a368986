import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import {
  brokerPorts,
  brokerSessionTimeoutMs,
  catalogueIdOf,
  expandTopology,
  kafkaBootstrap,
  ordersStreamIds,
  ordersStreamPort,
  parseBrokers,
  parseScale,
  readTopology,
  rememberTopology,
  replicationOf,
  resolveTopology,
  topologyFile,
  topologyOf,
} from './topology.js';

/** The UsageError `fn` throws (fails the test when it throws nothing or something else). */
function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError, nothing was thrown');
}

describe('parseBrokers', () => {
  it('when 1 or 3 is given, then that is the broker count', () => {
    expect(parseBrokers('1')).toBe(1);
    expect(parseBrokers(' 3 ')).toBe(3);
  });

  it('when 2 is given, then it is a usage error that says why a quorum wants 3', () => {
    const err = usageError(() => parseBrokers('2'));
    expect(err.message).toBe('--brokers 2: must be 1 or 3');
    expect(err.hint).toContain('majority');
  });

  it('when something other than a number is given, then it is a usage error too', () => {
    expect(usageError(() => parseBrokers('three')).message).toBe('--brokers three: must be 1 or 3');
  });
});

describe('parseScale', () => {
  it('when orders-stream=2 is given, then orders-stream runs 2 instances', () => {
    expect(parseScale(['orders-stream=2'])).toEqual({ ordersStream: 2 });
  });

  it('when given twice or comma-separated, then the last one wins', () => {
    expect(parseScale(['orders-stream=2,orders-stream=4'])).toEqual({ ordersStream: 4 });
  });

  it('when a component that cannot be scaled is named, then it is a usage error naming what can', () => {
    const err = usageError(() => parseScale(['foo=2']));
    expect(err.message).toBe('--scale foo=2: foo cannot be scaled (only orders-stream can)');
    expect(err.hint).toContain('orders-stream=N');
  });

  it('when zero, five or a fraction of instances is asked for, then it is a usage error giving the range', () => {
    for (const bad of ['orders-stream=0', 'orders-stream=5', 'orders-stream=1.5', 'orders-stream=']) {
      expect(usageError(() => parseScale([bad])).message).toBe(`--scale ${bad}: instances must be a whole number from 1 to 4`);
    }
  });

  it('when there is no "=", then it is a usage error showing the form', () => {
    expect(usageError(() => parseScale(['orders-stream'])).message).toBe('--scale orders-stream: expected <component>=<instances>');
  });
});

describe('ports and ids', () => {
  const ports = { kafka: 9092, kafkaController: 9093 };

  it('when three brokers run, then each gets the next pair of ports and every client names all three', () => {
    expect([1, 2, 3].map((i) => brokerPorts(ports, i))).toEqual([
      { client: 9092, controller: 9093 },
      { client: 9094, controller: 9095 },
      { client: 9096, controller: 9097 },
    ]);
    expect(kafkaBootstrap('127.0.0.1', ports, { brokers: 3 })).toEqual(['127.0.0.1:9092', '127.0.0.1:9094', '127.0.0.1:9096']);
    expect(kafkaBootstrap('127.0.0.1', ports, { brokers: 1 })).toEqual(['127.0.0.1:9092']);
  });

  it('when orders-stream is scaled to 3, then the instances are orders-stream, -2 and -3 on ports 100 apart', () => {
    expect(ordersStreamIds({ ordersStream: 3 })).toEqual(['orders-stream', 'orders-stream-2', 'orders-stream-3']);
    expect([1, 2, 3].map((k) => ordersStreamPort(3004, k))).toEqual([3004, 3104, 3204]);
  });

  it('when an instance or broker id is given, then its catalogue id is the component it is one of', () => {
    expect(['kafka-3', 'orders-stream-2', 'orders-stream', 'orders', 'kafka'].map(catalogueIdOf)).toEqual(['kafka', 'orders-stream', 'orders-stream', 'orders', 'kafka']);
  });

  it('when three brokers run, then topics are replicated 3 times and a write needs 2; with one, once', () => {
    expect(replicationOf({ brokers: 3 })).toEqual({ replicationFactor: 3, minInsync: 2 });
    expect(replicationOf({ brokers: 1 })).toEqual({ replicationFactor: 1, minInsync: 1 });
  });

  it('when three brokers run, then a silent broker is fenced after 6 s; one broker keeps Kafka\'s default', () => {
    expect(brokerSessionTimeoutMs({ brokers: 3 })).toBe(6000);
    expect(brokerSessionTimeoutMs({ brokers: 1 })).toBeUndefined();
  });
});

describe('expandTopology', () => {
  const nodes = [
    { id: 'kafka', needs: [] as string[], port: 1 },
    { id: 'connect', needs: ['kafka'], port: 2 },
    { id: 'orders-stream', needs: ['kafka'], port: 3 },
    { id: 'orders', needs: ['connect'], port: 4 },
  ];
  const copy = (n: (typeof nodes)[number], id: string, k: number) => ({ ...n, id, port: n.port * 10 + k });

  it('when three brokers and two instances run, then each extra one follows its first, made by copy, and what needs kafka needs every broker', () => {
    expect(expandTopology(nodes, { brokers: 3, ordersStream: 2 }, copy)).toEqual([
      { id: 'kafka', needs: [], port: 1 },
      { id: 'kafka-2', needs: [], port: 12 },
      { id: 'kafka-3', needs: [], port: 13 },
      { id: 'connect', needs: ['kafka', 'kafka-2', 'kafka-3'], port: 2 },
      { id: 'orders-stream', needs: ['kafka', 'kafka-2', 'kafka-3'], port: 3 },
      { id: 'orders-stream-2', needs: ['kafka', 'kafka-2', 'kafka-3'], port: 32 },
      { id: 'orders', needs: ['connect'], port: 4 },
    ]);
  });

  it('when the topology is the default, then the nodes are unchanged', () => {
    expect(expandTopology(nodes, { brokers: 1, ordersStream: 1 }, copy)).toEqual(nodes);
  });
});

describe('resolveTopology', () => {
  it('when nothing is asked and nothing remembered, then one broker and one instance', () => {
    expect(resolveTopology({}, undefined, false)).toEqual({ brokers: 1, ordersStream: 1 });
  });

  it('when nothing is asked, then the remembered topology is kept', () => {
    expect(resolveTopology({}, { brokers: 3, ordersStream: 2 }, true)).toEqual({ brokers: 3, ordersStream: 2 });
  });

  it('when only the scale is asked, then the remembered broker count stays', () => {
    expect(resolveTopology({ ordersStream: 1 }, { brokers: 3, ordersStream: 2 }, true)).toEqual({ brokers: 3, ordersStream: 1 });
  });

  it('when another broker count is asked and Kafka data exists, then it is refused naming oms down --volumes', () => {
    const err = usageError(() => resolveTopology({ brokers: 3 }, undefined, true));
    expect(err.message).toBe("--brokers 3: this stack's Kafka data was made by 1 broker(s)");
    expect(err.hint).toContain('oms down --volumes');
  });

  it('when another broker count is asked and there is no Kafka data, then it is taken', () => {
    expect(resolveTopology({ brokers: 1 }, { brokers: 3, ordersStream: 2 }, false)).toEqual({ brokers: 1, ordersStream: 2 });
  });
});

describe('the remembered topology', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oms-topology-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('when written, then it is read back; a state dir without one has the default', async () => {
    expect(readTopology(join(dir, 'none'))).toBeUndefined();
    expect(topologyOf(join(dir, 'none'))).toEqual({ brokers: 1, ordersStream: 1 });
    await rememberTopology(join(dir, 'a'), { brokers: 3, ordersStream: 2 });
    expect(readTopology(join(dir, 'a'))).toEqual({ brokers: 3, ordersStream: 2 });
  });

  it('when the file is not ours to trust (2 brokers, or not JSON), then it counts as not remembered', async () => {
    await rememberTopology(join(dir, 'b'), { brokers: 1, ordersStream: 1 });
    writeFileSync(topologyFile(join(dir, 'b')), '{"brokers": 2, "ordersStream": 1}');
    expect(readTopology(join(dir, 'b'))).toBeUndefined();
    writeFileSync(topologyFile(join(dir, 'b')), 'not json');
    expect(readTopology(join(dir, 'b'))).toBeUndefined();
  });
});
