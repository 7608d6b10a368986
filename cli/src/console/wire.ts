/**
 * The console API's answers, as the web page (cli/web) reads them: types only, so the page
 * and the server cannot drift apart without the build noticing.
 */
export type { ConnectorState, ConnectorView } from '../ops/connectors.js';
export type { GroupReport } from '../ops/groups.js';
export type { Link, Overview, OverviewComponent } from '../ops/overview.js';
export type { Decoded, ReadRecordsResult, TopicRecord } from '../ops/records.js';
export type { DemoOrder } from '../ops/smoke.js';
export type { TopicRow } from '../ops/topics.js';
export type { TraceHop, TraceResult } from '../ops/trace.js';

/** Every error the API answers (4xx/5xx), and what a live stream sends as `problem`. */
export interface ApiProblem {
  error: string;
  message: string;
  details: { hint?: string | null; lines?: string[] } | Array<{ path: string; message: string }> | null;
}
