import { createRequire } from 'node:module';

/** The part of kafkajs 2.2.4's per-connection RequestQueue the fix touches. */
interface RequestQueuePrototype {
  scheduleCheckPendingRequests(this: { pending: unknown[] }): void;
  scheduleRequestTimeoutCheck(this: RequestQueueState): void;
  destroy(this: RequestQueueState): void;
  [patched]?: true;
}

/** What the request-timeout check reads of a kafkajs 2.2.4 RequestQueue. */
interface RequestQueueState {
  enforceRequestTimeout: boolean;
  requestTimeout: number;
  requestTimeoutIntervalId: NodeJS.Timeout | null;
  inflight: Map<unknown, { sentAt: number; requestTimeout: number; timeoutRequest(): void }>;
  isConnected(): boolean;
  destroy(): void;
}

/**
 * How often a kafkajs connection looks for requests past their timeout (kafkajs: every
 * 100 ms). Timeouts are 30 s, so a late answer is noticed within 31 s instead of 30.1.
 */
export const REQUEST_TIMEOUT_CHECK_MS = 1000;

const patched = Symbol.for('oms.kafkajs.idleRequestQueue');

/**
 * Stops kafkajs 2.2.4 spinning on an idle connection, in two places of its RequestQueue:
 *
 * - After every answer it schedules a check of the requests waiting to be sent, and with none
 *   waiting (and no broker throttling) it schedules it 1 ms later, again and again: ~1,000 timer
 *   wake-ups a second per process, 2–3% of a core each for products, inventory and orders-stream
 *   with no traffic at all (kafkajs issues #1556 and #1704, unfixed in the last release). With
 *   nothing pending there is nothing to check: a request that has to wait is queued by `push`,
 *   which schedules the check itself, and every answer checks the queue again.
 * - Every connection looks for timed-out requests every 100 ms, for its whole life: the 18
 *   connections of an idle stack's services woke 180 times a second for 30 s timeouts. They
 *   look every {@link REQUEST_TIMEOUT_CHECK_MS} now, with the same check.
 *
 * Idempotent; loading this module applies it.
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
  if (typeof proto.scheduleRequestTimeoutCheck === 'function' && typeof proto.destroy === 'function') {
    proto.scheduleRequestTimeoutCheck = function scheduleTimeoutCheckEverySecond(this: RequestQueueState) {
      if (!this.enforceRequestTimeout) return;
      this.destroy();
      this.requestTimeoutIntervalId = setInterval(
        () => {
          const now = Date.now();
          this.inflight.forEach((request) => {
            if (now - request.sentAt > request.requestTimeout) request.timeoutRequest();
          });
          if (!this.isConnected()) this.destroy();
        },
        Math.min(this.requestTimeout, REQUEST_TIMEOUT_CHECK_MS),
      );
    };
  }
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

/**
 * How often a consumer that is alone in its group by construction (its group id ends in a
 * random suffix: the orders reference view, orders-stream's lookup consumer) tells the
 * coordinator it is alive. kafkajs sends a heartbeat between fetches once this much has passed
 * since the last, so at kafkajs' 3 s, with fetches every {@link IDLE_FETCH_WAIT_MS}, an idle
 * consumer sent one every other fetch: a third of its requests. A heartbeat is also how a member
 * learns that its group is rebalancing, so a member joining waits up to this long for the others
 * to rejoin: the `BatchConsumer`s keep kafkajs' 3 s, since their groups are named by service and
 * two instances can share one (CI's tests run a second instance beside the stack's, and a 10 s
 * rebalance there overlapped a test's shutdown).
 */
export const IDLE_HEARTBEAT_INTERVAL_MS = 10_000;
