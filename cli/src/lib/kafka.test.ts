import type { RecordMetadata, TopicMessages } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { ExternalError } from '../errors.js';
import { sendUntilConfirmed } from './kafka.js';

const placed: TopicMessages = {
  topic: 'products',
  messages: [
    { key: 'a', value: '1', partition: 0 },
    { key: 'b', value: '2', partition: 1 },
    { key: 'c', value: '3', partition: 1 },
  ],
};
const answer = (partition: number): RecordMetadata => ({ topicName: 'products', partition, errorCode: 0 });

describe('sendUntilConfirmed', () => {
  it('when a send resolves without an answer for a partition, then only that partition’s records are sent again', async () => {
    const sent: TopicMessages[] = [];
    // The kafkajs skip: the first send answers for partition 0 alone.
    const send = async (batch: TopicMessages) => {
      sent.push(batch);
      return sent.length === 1 ? [answer(0)] : [...new Set(batch.messages.map((m) => m.partition!))].map(answer);
    };
    await sendUntilConfirmed(send, placed, 3);
    expect(sent.map((b) => b.messages.map((m) => m.key))).toEqual([['a', 'b', 'c'], ['b', 'c']]);
  });

  it('when every answer names every partition, then it sends once', async () => {
    let sends = 0;
    await sendUntilConfirmed(async () => (sends++, [answer(0), answer(1)]), placed, 3);
    expect(sends).toBe(1);
  });

  it('when a partition stays unanswered, then it gives up after the attempts, naming it', async () => {
    let sends = 0;
    const failing = sendUntilConfirmed(async () => (sends++, [answer(0)]), placed, 3);
    await expect(failing).rejects.toThrow(ExternalError);
    await expect(failing).rejects.toThrow(/products\/1 \(3 sends\)/);
    expect(sends).toBe(3);
  });
});
