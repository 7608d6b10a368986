import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isRetriableKafkaError } from './topics.js';

describe('isRetriableKafkaError', () => {
  it('when a broker does not host a topic-partition yet, then it is worth retrying, also when kafkajs gave up on it', () => {
    const unknown = new KafkaJSProtocolError(Object.assign(new Error('This server does not host this topic-partition'), { type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3, retriable: true }));
    expect(isRetriableKafkaError(unknown)).toBe(true);
    expect(isRetriableKafkaError(new KafkaJSNumberOfRetriesExceeded(unknown, { retryCount: 5, retryTime: 1000 }))).toBe(true);
  });

  it('when the error is not retriable or not from Kafka, then it is not retried', () => {
    expect(isRetriableKafkaError(new KafkaJSProtocolError(Object.assign(new Error('Replication-factor is invalid'), { type: 'INVALID_REPLICATION_FACTOR', code: 38, retriable: false })))).toBe(false);
    expect(isRetriableKafkaError(new Error('boom'))).toBe(false);
    expect(isRetriableKafkaError(undefined)).toBe(false);
  });
});
