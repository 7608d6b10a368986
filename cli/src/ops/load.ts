/**
 * `oms load`'s operation: open-loop orders against the running stack (the load module), each
 * one timed from POST /orders to visible in GraphQL, with live counts for people watching the
 * pipeline (`oms console`, `oms topics tail`, Kafka's lag).
 */
import type { OpsContext } from '../context.js';
import { endpointsFor } from '../lib/endpoints.js';
import { runLoad, summariseLoad, type LoadProgress, type LoadSummary } from '../lib/load/load.js';
import { GraphWatcher, placeStackOrder, prepareOrders } from '../lib/load/stack.js';
import { serviceClients } from '../lib/services.js';

export interface LoadRequest {
  /** Orders per second. */
  rate: number;
  durationS: number;
  /** Distinct customers to order as. */
  customers: number;
}

export interface LoadReport extends LoadSummary {
  rate: number;
  durationS: number;
  customers: number;
  /** Ctrl-C ended the sending before the duration was over. */
  stopped: boolean;
}

/** Runs the load; `onProgress` gets the live counts about once a second. */
export async function loadStack(ctx: OpsContext, req: LoadRequest, onProgress: (p: LoadProgress) => void = () => {}): Promise<LoadReport> {
  const clients = serviceClients(endpointsFor(ctx.loaded.config));
  const fixture = await prepareOrders(clients, { customers: req.customers, orders: Math.ceil(req.rate * req.durationS) });
  const watcher = new GraphWatcher(clients.ordersGraph);
  try {
    const result = await runLoad({ rate: req.rate, durationS: req.durationS, place: placeStackOrder(clients.orders, fixture), watcher, onProgress, signal: ctx.signal, drainMs: 30_000 });
    return { ...summariseLoad(result), rate: req.rate, durationS: req.durationS, customers: req.customers, stopped: ctx.signal.aborted };
  } finally {
    await watcher.stop();
  }
}

const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} ms` : '–');

/** One progress line: `12.0s sent 120 accepted 119 refused 1 visible 118 p50 41 ms p99 88 ms`. */
export function describeProgress(p: LoadProgress): string {
  return `${(p.elapsedMs / 1000).toFixed(1).padStart(6)}s  sent ${p.sent}  accepted ${p.accepted}  refused ${p.refused}  visible ${p.visible}  POST→GraphQL p50 ${ms(p.p50Ms)} p99 ${ms(p.p99Ms)}`;
}

/** The summary `oms load` prints at the end. */
export function describeLoad(r: LoadReport): string {
  const refusals = Object.entries(r.refusals).map(([k, n]) => `${n}× ${k}`).join(', ');
  return [
    `${r.sent} orders sent at ${r.achievedRate.toFixed(1)}/s (asked ${r.rate}/s for ${r.durationS}s${r.stopped ? ', stopped early' : ''}), ${r.customers} customer(s)`,
    `accepted ${r.accepted}, refused ${r.refused}${refusals ? ` (${refusals})` : ''}, not visible in GraphQL ${r.notVisible}`,
    `POST /orders          p50 ${ms(r.postP50Ms)}  p99 ${ms(r.postP99Ms)}`,
    `POST → GraphQL        p50 ${ms(r.p50Ms)}  p99 ${ms(r.p99Ms)}  lag ${r.flat ? 'flat' : 'GROWING (the pipeline did not keep up)'}`,
  ].join('\n');
}
