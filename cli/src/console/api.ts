/**
 * What the console serves, as one interface over the CLI's operations (one implementation,
 * two faces). The app takes it as a parameter, so its tests can hand in a fake that throws
 * the errors a broken stack would.
 */
import type { OpsContext } from '../context.js';
import { endpointsFor } from '../lib/endpoints.js';
import { listConnectors, restartConnector, type ConnectorState, type ConnectorView } from '../ops/connectors.js';
import { describeGroups, type GroupReport } from '../ops/groups.js';
import { overviewCollector, type Overview } from '../ops/overview.js';
import { followTopic, readRecords, type FollowOptions, type ReadRecordsOptions, type ReadRecordsResult, type TopicRecord } from '../ops/records.js';
import { placeDemoOrder, type DemoOrder } from '../ops/smoke.js';
import type { ChosenStack } from '../ops/stack.js';
import { readAllTopics, type TopicRow } from '../ops/topics.js';
import { traceOrder, watchNewOrder, watchTrace, type TraceResult } from '../ops/trace.js';

export interface ConsoleApi {
  /**
   * The overview, for the page's first look and its live feed alike: processes checked on
   * every call, the probes, connectors and lag at most a few seconds old (see overviewCollector).
   */
  overview(): Promise<Overview>;
  topics(): Promise<TopicRow[]>;
  records(opts: ReadRecordsOptions, signal: AbortSignal): Promise<ReadRecordsResult>;
  /** Checks the topic and partition, then follows until `opts.signal` aborts. */
  follow(opts: FollowOptions): Promise<AsyncIterable<TopicRecord>>;
  connectors(): Promise<ConnectorView[]>;
  restartConnector(name: string, onlyFailed: boolean): Promise<ConnectorState>;
  groups(): Promise<GroupReport[]>;
  trace(orderId: string, signal: AbortSignal): Promise<TraceResult>;
  /** Looks until every hop is there; each changed result goes to `onUpdate`. */
  watchTrace(orderId: string, opts: { timeoutMs: number; signal: AbortSignal; onUpdate: (r: TraceResult) => void }): Promise<TraceResult>;
  placeDemoOrder(): Promise<DemoOrder>;
  /** Places a demo order and watches it from its first moment (so every hop gets its time). */
  traceDemoOrder(opts: { timeoutMs: number; signal: AbortSignal; onPlaced: (order: DemoOrder) => void; onUpdate: (r: TraceResult) => void }): Promise<TraceResult>;
}

/** The API over the real operations, for the stack `ctx` describes (`chosen` resolved once by the server). */
export function opsApi(ctx: OpsContext, chosen: ChosenStack): ConsoleApi {
  const withSignal = (signal: AbortSignal): OpsContext => ({ ...ctx, signal });
  return {
    overview: overviewCollector(ctx, chosen),
    topics: () => readAllTopics(endpointsFor(ctx.loaded.config).kafkaBrokers),
    records: (opts, signal) => readRecords(withSignal(signal), opts),
    follow: (opts) => followTopic(withSignal(opts.signal), opts),
    connectors: () => listConnectors(ctx),
    restartConnector: (name, onlyFailed) => restartConnector(ctx, name, onlyFailed),
    groups: () => describeGroups(ctx),
    trace: (orderId, signal) => traceOrder(withSignal(signal), orderId),
    watchTrace: (orderId, opts) => watchTrace(withSignal(opts.signal), orderId, { timeoutMs: opts.timeoutMs, onUpdate: opts.onUpdate }),
    placeDemoOrder: () => placeDemoOrder(ctx),
    traceDemoOrder: (opts) =>
      watchNewOrder(
        withSignal(opts.signal),
        async () => {
          const order = await placeDemoOrder(ctx);
          opts.onPlaced(order);
          return order.orderId;
        },
        { timeoutMs: opts.timeoutMs, onUpdate: opts.onUpdate },
      ),
  };
}
