import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@oms/service-kit';

export interface ExpirySweeperOptions {
  /** Expires up to `limit` overdue reservations; returns their order ids. */
  expireDue: (limit: number) => Promise<string[]>;
  logger: Logger;
  /** Pause between sweeps when nothing more is due. */
  intervalMs: number;
  /** Reservations per step; a full step is followed by another at once. */
  batchSize?: number;
}

/** A running sweeper; `stop()` resolves once the step in progress finished. */
export interface ExpirySweeper {
  stop(): Promise<void>;
}

/**
 * Returns the stock of pending reservations whose order never appeared, every `intervalMs`.
 * How late a reservation expires is bounded by TTL + interval (+ the time to sweep a backlog).
 * A failed step (Redis down) is logged and retried at the next tick: the deadlines stay in
 * Redis, so nothing is missed, only late.
 */
export function startExpirySweeper({ expireDue, logger, intervalMs, batchSize = 100 }: ExpirySweeperOptions): ExpirySweeper {
  const controller = new AbortController();
  // While Redis is down every tick fails the same way: say so once, and once when it recovers.
  let failing = '';
  const loop = (async () => {
    while (!controller.signal.aborted) {
      try {
        let expired: string[];
        do {
          expired = await expireDue(batchSize);
          if (expired.length > 0) logger.info({ orderIds: expired }, `expired ${expired.length} reservation(s)`);
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- stop() can abort during the await; TypeScript keeps the loop condition's narrowing
        } while (expired.length === batchSize && !controller.signal.aborted);
        if (failing) logger.info('expiry sweep works again');
        failing = '';
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        if (message !== failing) logger.warn({ err }, 'expiry sweep failed; retrying at every tick');
        failing = message;
      }
      await sleep(intervalMs, undefined, { signal: controller.signal }).catch(() => undefined);
    }
  })();
  return {
    async stop() {
      controller.abort();
      await loop;
    },
  };
}
