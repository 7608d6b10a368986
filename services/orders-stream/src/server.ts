import { createLogger, runMain, serve } from '@oms/service-kit';
import { createApp } from './app.js';
import { loadConfig, streamConfig } from './config.js';
import { OrdersStreamProcessor } from './kafka/processor.js';

// `oms up` may start the service before Kafka or the topics are there: keep trying, with
// /health explaining the wait, rather than exit.
const START_RETRY_MS = 3_000;

async function main(): Promise<void> {
  const env = loadConfig();
  const logger = createLogger('orders-stream', env.LOG_LEVEL);
  const config = streamConfig(env);
  const processor = new OrdersStreamProcessor({ config, logger });
  let stopping = false;

  await serve({
    app: createApp({ logger, stream: processor }),
    port: env.PORT,
    host: env.HOST,
    logger,
    close: async () => {
      stopping = true;
      await processor.stop();
    },
  });
  logger.info({ brokers: config.brokers, groupId: config.groupId, instanceId: config.instanceId, topics: config.topics }, 'starting the processor');

  while (!stopping) {
    try {
      await processor.start();
      logger.info('processing orders');
      return;
    } catch (err) {
      if (stopping) return;
      logger.error({ err }, `processor could not start; retrying in ${START_RETRY_MS / 1000} s`);
      await new Promise((r) => setTimeout(r, START_RETRY_MS));
    }
  }
}

runMain('orders-stream', main);
