import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/** JSON logs on stdout (or `destination`); level from LOG_LEVEL (read by the caller's config). */
export function createLogger(service: string, level = 'info', options: LoggerOptions = {}, destination?: DestinationStream): Logger {
  const settings = { name: service, level, base: { service }, timestamp: pino.stdTimeFunctions.isoTime, ...options };
  return destination ? pino(settings, destination) : pino(settings);
}

/** A logger that writes nothing: the default where logging is optional. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
