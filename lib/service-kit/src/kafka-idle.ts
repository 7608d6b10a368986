import { createRequire } from 'node:module';

/** The part of kafkajs 2.2.4's per-connection RequestQueue the fix touches. */
interface RequestQueuePrototype {
  scheduleCheckPendingRequests(this: { pending: unknown[] }): void;
  [patched]?: true;
}

const patched = Symbol.for('oms.kafkajs.idleRequestQueue');

/**
 * Stops kafkajs 2.2.4 spinning on an idle connection. After every answer its RequestQueue
 * schedules a check of the requests waiting to be sent, and with none waiting (and no broker
 * throttling) it schedules it 1 ms later, again and again: ~1,000 timer wake-ups a second per
 * process, 2–3% of a core each for products, inventory and orders-stream with no traffic at all
 * (kafkajs issues #1556 and #1704, unfixed in the last release). With nothing pending there is
 * nothing to check: a request that has to wait is queued by `push`, which schedules the check
 * itself, and every answer checks the queue again. Idempotent; loading this module applies it.
 */
export function stopIdleKafkaSpin(): void {
  let proto: Partial<RequestQueuePrototype> | undefined;
  try {
    proto = (createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as { prototype?: Partial<RequestQueuePrototype> }).prototype;
  } catch {
    return; // a kafkajs without this file is not the one this fixes
  }
  const schedule = proto?.scheduleCheckPendingRequests;
  if (!proto || typeof schedule !== 'function' || proto[patched]) return;
  proto.scheduleCheckPendingRequests = function scheduleWhenPending(this: { pending: unknown[] }) {
    if (this.pending.length > 0) schedule.call(this);
  };
  proto[patched] = true;
}

stopIdleKafkaSpin();

/**
 * The longest a consumer's fetch waits at the broker when there is nothing to return: the
 * default of {@link BatchConsumer}'s `maxWaitTimeInMs` and of every other kafkajs consumer a
 * service runs. Arriving data ends the wait at once (minBytes 1), so it costs no latency; it is
 * how often an idle consumer asks the broker, and fetches were most of an idle broker's work
 * (docs/architecture.md, Tuning). kafkajs sends heartbeats and notices a rebalance between
 * fetches, and a `stop()` waits for the fetch in flight, so it also bounds those: 2 s keeps
 * them prompt where 5 s would save only ~0.1% of a core more.
 */
export const IDLE_FETCH_WAIT_MS = 2000;
