import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** JSON logs on stdout; level from LOG_LEVEL (read by the caller's config). */
export function createLogger(service: string, level = 'info', options: LoggerOptions = {}): Logger {
  return pino({ name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime, ...options });
}
