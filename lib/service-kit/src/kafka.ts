// The `@oms/service-kit/kafka` entry: kafkajs logging through pino, and the committing batch consumer.
export * from './kafka-log.js';
export * from './batch-consumer.js';
