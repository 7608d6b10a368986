import type { PartitionMetadata, RecordMetadata } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { Placement, unansweredPartitions } from './kafka-placement.js';

const partitions = (n: number, leaderless: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: leaderless.includes(partitionId) ? -1 : 1, replicas: [1], isr: [1], partitionErrorCode: 0 }));

const answer = (topicName: string, partition: number, errorCode = 0): RecordMetadata => ({ topicName, partition, errorCode, baseOffset: '0' });

describe('Placement', () => {
  const placement = new Placement(new Map([['out', partitions(3)], ['dlq', partitions(3, [0, 1])]]));

  it('when records are placed, then the same key always gets the same partition of the topic', () => {
    const keys = Array.from({ length: 30 }, (_, i) => `order-${i}`);
    const first = placement.place('out', keys.map((key) => ({ key, value: 'v' })));
    const again = placement.place('out', keys.map((key) => ({ key, value: 'w' })));
    expect(again.messages.map((m) => m.partition)).toEqual(first.messages.map((m) => m.partition));
    expect(new Set(first.messages.map((m) => m.partition))).toEqual(new Set([0, 1, 2]));
  });

  it('when a record has no key, then it goes to a partition that has a leader', () => {
    const placed = placement.place('dlq', Array.from({ length: 5 }, () => ({ key: null, value: 'bad' })));
    expect(placed.messages.map((m) => m.partition)).toEqual([2, 2, 2, 2, 2]);
  });

  it('when the topic has no metadata, then placing fails instead of sending unplaced records', () => {
    expect(() => placement.place('elsewhere', [{ key: 'k', value: 'v' }])).toThrow(/no partition metadata for topic elsewhere/);
  });
});

describe('unansweredPartitions', () => {
  const sent = [
    { topic: 'out', messages: [{ key: 'a', value: '1', partition: 0 }, { key: 'b', value: '2', partition: 2 }, { key: 'c', value: '3', partition: 2 }] },
    { topic: 'dlq', messages: [{ key: null, value: 'x', partition: 1 }] },
  ];

  it('when the answer names every partition the records went to, then none is missing', () => {
    expect(unansweredPartitions(sent, [answer('out', 0), answer('out', 2), answer('dlq', 1)])).toEqual([]);
  });

  it('when the send resolved without answering for a partition (kafkajs skipped it on a retry), then that partition is reported', () => {
    expect(unansweredPartitions(sent, [answer('out', 0), answer('dlq', 1)])).toEqual(['out/2']);
  });

  it('when a partition is answered with an error code, then it counts as not written', () => {
    expect(unansweredPartitions(sent, [answer('out', 0), answer('out', 2, 6), answer('dlq', 1)])).toEqual(['out/2']);
  });

  it('when a record carries no partition, then the check refuses instead of guessing', () => {
    expect(() => unansweredPartitions([{ topic: 'out', messages: [{ key: 'a', value: '1' }] }], [])).toThrow(/without a partition/);
  });
});
