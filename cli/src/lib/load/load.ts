/**
 * Open-loop order load, shared by `oms load`, `npm run bench:pipeline` and the fault battery:
 * one order every 1/rate s whatever earlier ones take (a closed loop would slow down with the
 * system and hide its queueing). What places an order is a callback, so the same scheduler
 * drives the real stack ({@link stackOrders}) or anything else that answers like POST /orders.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** What placing one order answered. */
export interface PlaceResult {
  /** HTTP status; null when no answer came (connection refused, timeout). */
  status: number | null;
  /** The order's id when it was accepted. */
  id?: string;
  /** Why it was refused or failed, in a few words. */
  error?: string;
  /** The order's creation time as the service stamped it (narrows the watcher's query). */
  createdAt?: string;
}

/** Places order number `seq` (0, 1, …); never throws for a refused order, only answers. */
export type PlaceOrder = (seq: number) => Promise<PlaceResult>;

/** One order of a run. Times are milliseconds since the run started (performance.now based). */
export interface OrderOutcome {
  seq: number;
  id?: string;
  status: number | null;
  error?: string;
  /** When it was sent. */
  sentAtMs: number;
  /** How long POST /orders took. */
  postMs: number;
  /** Sent → visible in the read model, when a watcher saw it. */
  visibleMs?: number;
}

/** Live counts, for progress lines. */
export interface LoadProgress {
  elapsedMs: number;
  sent: number;
  /** Answered 2xx. */
  accepted: number;
  /** Answered otherwise, or no answer. */
  refused: number;
  /** Accepted and seen in the read model. */
  visible: number;
  /** Sent → visible over the last progress interval (NaN when none). */
  p50Ms: number;
  p99Ms: number;
}

/** Reports when an accepted order becomes visible downstream (GraphQL for the stack). */
export interface VisibilityWatcher {
  /** Starts watching `id`; calls `seen` with the performance.now() time it became visible. */
  watch(id: string, createdAt: string | undefined, seen: (atMs: number) => void): void;
  /** Orders still being watched. */
  readonly pending: number;
  stop(): Promise<void>;
}

export interface LoadOptions {
  /** Orders per second (open loop). */
  rate: number;
  durationS: number;
  place: PlaceOrder;
  /** Optional: also measures sent → visible. */
  watcher?: VisibilityWatcher;
  /** How long to wait for the last accepted orders to become visible (default 30 s). */
  drainMs?: number;
  /** Called about every `progressMs` (default 1000) while sending and draining. */
  onProgress?: (p: LoadProgress) => void;
  progressMs?: number;
  /** Stops sending; what was sent is still drained for `drainMs`. */
  signal?: AbortSignal;
}

export interface LoadResult {
  orders: OrderOutcome[];
  /** Orders per second actually sent. */
  achievedRate: number;
  /** Sending took this long (ms). */
  sendMs: number;
}

/** The p-th percentile (nearest rank) of `xs`; NaN for none. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

/**
 * Sends `rate × durationS` orders open-loop through `place`, and returns every order's outcome.
 * Rates above what one timer tick allows are sent in small bursts, so the average holds.
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const { rate, durationS, place, watcher } = opts;
  const total = Math.max(1, Math.round(rate * durationS));
  const orders: OrderOutcome[] = [];
  const inflight = new Set<Promise<void>>();
  const start = performance.now();
  const now = () => performance.now() - start;
  let accepted = 0;
  let refused = 0;
  let visible = 0;
  let windowLatencies: number[] = [];
  const progress = () => {
    const p50 = percentile(windowLatencies, 50);
    const p99 = percentile(windowLatencies, 99);
    windowLatencies = [];
    opts.onProgress?.({ elapsedMs: now(), sent: orders.length, accepted, refused, visible, p50Ms: p50, p99Ms: p99 });
  };
  const ticker = opts.onProgress ? setInterval(progress, opts.progressMs ?? 1000) : undefined;
  try {
    for (let seq = 0; seq < total && !opts.signal?.aborted; seq++) {
      const wait = (seq * 1000) / rate - now();
      if (wait > 1) await sleep(wait);
      const outcome: OrderOutcome = { seq, status: null, sentAtMs: now(), postMs: 0 };
      orders.push(outcome);
      const p = place(seq)
        .catch((err: unknown): PlaceResult => ({ status: null, error: err instanceof Error ? err.message : String(err) }))
        .then((r) => {
          outcome.postMs = now() - outcome.sentAtMs;
          outcome.status = r.status;
          if (r.error !== undefined) outcome.error = r.error;
          if (r.id !== undefined && r.status !== null && r.status >= 200 && r.status < 300) {
            accepted++;
            outcome.id = r.id;
            watcher?.watch(r.id, r.createdAt, (atMs) => {
              outcome.visibleMs = atMs - start - outcome.sentAtMs;
              visible++;
              windowLatencies.push(outcome.visibleMs);
            });
          } else refused++;
        });
      inflight.add(p);
      void p.finally(() => inflight.delete(p));
    }
    const sendMs = now();
    await Promise.all(inflight);
    if (watcher) {
      const deadline = performance.now() + (opts.drainMs ?? 30_000);
      while (watcher.pending > 0 && performance.now() < deadline) await sleep(20);
    }
    return { orders, achievedRate: orders.length / Math.max(sendMs / 1000, 1e-3), sendMs };
  } finally {
    if (ticker) clearInterval(ticker);
    progress();
  }
}

/** The numbers a run is judged by. */
export interface LoadSummary {
  sent: number;
  accepted: number;
  refused: number;
  /** Accepted but never seen in the read model within the drain time. */
  notVisible: number;
  achievedRate: number;
  /** Sent → visible. */
  p50Ms: number;
  p99Ms: number;
  /** POST /orders alone. */
  postP50Ms: number;
  postP99Ms: number;
  /**
   * Flat lag: the last third's median latency is not running away from the first third's
   * (at most twice it, or 100 ms more): the pipeline keeps up instead of queueing.
   */
  flat: boolean;
  /** Refusals by status (or "no answer"), for the report. */
  refusals: Record<string, number>;
}

/** Summarises a run (see {@link LoadSummary}). */
export function summariseLoad(result: LoadResult): LoadSummary {
  const { orders } = result;
  const acceptedOrders = orders.filter((o) => o.id !== undefined);
  const lat = acceptedOrders.flatMap((o) => (o.visibleMs === undefined ? [] : [o.visibleMs]));
  const third = Math.floor(orders.length / 3);
  const latOf = (xs: OrderOutcome[]) => xs.flatMap((o) => (o.visibleMs === undefined ? [] : [o.visibleMs]));
  const early = percentile(latOf(orders.slice(0, third)), 50);
  const late = percentile(latOf(orders.slice(-third)), 50);
  const refusals: Record<string, number> = {};
  for (const o of orders) if (o.id === undefined) refusals[o.status === null ? 'no answer' : String(o.status)] = (refusals[o.status === null ? 'no answer' : String(o.status)] ?? 0) + 1;
  const post = acceptedOrders.map((o) => o.postMs);
  return {
    sent: orders.length,
    accepted: acceptedOrders.length,
    refused: orders.length - acceptedOrders.length,
    notVisible: acceptedOrders.length - lat.length,
    achievedRate: result.achievedRate,
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
    postP50Ms: percentile(post, 50),
    postP99Ms: percentile(post, 99),
    flat: third > 0 ? Number.isFinite(late) && late <= Math.max(2 * early, early + 100) : lat.length > 0,
    refusals,
  };
}
