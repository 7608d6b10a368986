// The `@oms/service-kit/kafka` entry: kafkajs logging through pino, the committing batch consumer,
// the fixes for kafkajs's busy idle connections and its coordinator lookups before every
// transactional step (both applied when this entry is loaded), and the check
// that a send wrote every partition it was meant for.
export * from './kafka-idle.js';
export * from './kafka-coordinator-cache.js';
export * from './kafka-log.js';
export * from './batch-consumer.js';
export * from './kafka-placement.js';
