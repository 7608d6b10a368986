import { runService } from '@oms/service-kit';
import { createApp } from './app.js';
import { loadConfig, streamConfig } from './config.js';
import { OrdersStreamProcessor } from './kafka/processor.js';

// The entry point: service-kit runs the service (listen, wait until the processor is
// connected, loaded and in its group, serve, shut down) and says how it ended; only this
// file exits. `oms up` may start it before Kafka or the topics exist: that is waited out
// with backoff, /health naming kafka, up to START_TIMEOUT_MS.
const exitCode = await runService({
  name: 'orders-stream',
  loadConfig,
  create: ({ config: env, logger, dependencies, fail }) => {
    const config = streamConfig(env);
    const processor = new OrdersStreamProcessor({ config, logger, onFatal: (err) => fail(err, 'the lookup consumer stopped for good') });
    logger.info({ brokers: config.brokers, groupId: config.groupId, instanceId: config.instanceId, topics: config.topics }, 'starting the processor');
    return {
      app: createApp({ logger, stream: processor, dependencies }),
      waitFor: [
        {
          dependency: 'kafka',
          target: `Kafka at ${config.brokers.join(',')} (group ${config.groupId})`,
          prepare: () => processor.start(),
        },
      ],
      close: () => processor.stop(),
    };
  },
});
process.exit(exitCode);
