// The `@oms/service-kit/kafka` entry: kafkajs logging through pino, the committing batch consumer,
// and the fix for kafkajs's busy idle connections (applied when this entry is loaded).
export * from './kafka-idle.js';
export * from './kafka-log.js';
export * from './batch-consumer.js';
