import { logLevel, type logCreator } from 'kafkajs';
import type { Logger } from '@oms/service-kit';

// kafkajs logs some broker answers at ERROR although they are routine and retried: a
// transaction begun right after the previous commit meets CONCURRENT_TRANSACTIONS while the
// coordinator still writes the commit markers; heartbeats meet REBALANCE_IN_PROGRESS whenever a
// member joins or leaves.
const ROUTINE = /concurrent operation on the same transaction|There is an ongoing transaction|group is rebalancing/;

/** Sends kafkajs's logs through our pino logger, at the matching level. */
export function kafkaLogCreator(logger: Logger): logCreator {
  const log = logger.child({ component: 'kafkajs' });
  return () =>
    ({ namespace, level, log: { message, timestamp: _ts, logger: _name, ...extra } }) => {
      const fields = { namespace, ...extra };
      if (ROUTINE.test(message) || ROUTINE.test(String(extra.error ?? ''))) return log.debug(fields, message);
      switch (level) {
        case logLevel.ERROR:
          return log.error(fields, message);
        case logLevel.WARN:
          return log.warn(fields, message);
        case logLevel.INFO:
          return log.info(fields, message);
        default:
          return log.debug(fields, message);
      }
    };
}

/** The kafkajs level that lets through what the pino logger would print. */
export function kafkaLogLevel(logger: Logger): logLevel {
  switch (logger.level) {
    case 'trace':
    case 'debug':
      return logLevel.DEBUG;
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
