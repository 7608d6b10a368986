import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from 'pino';

// kafkajs logs some broker answers at ERROR although they are routine and retried: a
// transaction begun right after the previous commit meets CONCURRENT_TRANSACTIONS while the
// coordinator still writes the commit markers; heartbeats meet REBALANCE_IN_PROGRESS whenever a
// member joins or leaves. They are demoted to debug.
const ROUTINE = /concurrent operation on the same transaction|There is an ongoing transaction|group is rebalancing/;

/**
 * The kafkajs level that lets through what a pino logger at `level` would print. kafkajs'
 * debug level logs every request, so only `trace` opens it.
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

/** A kafkajs `logCreator` writing through `logger`, kafkajs' own fields nested under `kafka`. */
export function kafkaLogCreator(logger: Logger): logCreator {
  return () =>
    ({ namespace, level, log }) => {
      const { message, timestamp: _timestamp, logger: _logger, ...extra } = log;
      // Nested, so kafkajs' fields (groupId, error, …) cannot collide with our logger's bindings.
      const fields = Object.keys(extra).length > 0 ? { kafkajs: namespace, kafka: extra } : { kafkajs: namespace };
      if (ROUTINE.test(message) || ROUTINE.test(String(extra.error ?? ''))) logger.debug(fields, message);
      else if (level === logLevel.ERROR) logger.error(fields, message);
      else if (level === logLevel.WARN) logger.warn(fields, message);
      else if (level === logLevel.INFO) logger.info(fields, message);
      else logger.debug(fields, message);
    };
}
