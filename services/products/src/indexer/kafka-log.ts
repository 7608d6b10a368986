import type { Logger } from '@oms/service-kit';
import { logLevel, type logCreator } from 'kafkajs';

/**
 * Routes kafkajs' own logs into our JSON logger. kafkajs filters by its level before calling
 * us, so its level follows ours; its debug level logs every request, so only `trace` opens it.
 */
export function kafkaLogLevel(level: string): logLevel {
  switch (level) {
    case 'trace':
      return logLevel.DEBUG;
    case 'debug':
    case 'info':
      return logLevel.INFO;
    case 'warn':
      return logLevel.WARN;
    case 'silent':
      return logLevel.NOTHING;
    default:
      return logLevel.ERROR;
  }
}

/** A kafkajs `logCreator` writing through `logger` with the kafkajs namespace as a field. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...extra } = log;
      // Nested, so kafkajs' fields (groupId, error, …) cannot collide with our logger's bindings.
      const fields = Object.keys(extra).length > 0 ? { kafkajs: namespace, kafka: extra } : { kafkajs: namespace };
      if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.info(fields, message);
      else logger.debug(fields, message);
    };
}
