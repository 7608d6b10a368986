/**
 * `oms shipping replay`'s operation: asks the shipping service to rebuild its shipments
 * projection from the event store (`POST /projections/shipments/replay`, which compares every
 * rebuilt row with the live one it replaces) and reads the rebuilt counts per status. The CLI
 * talks to the service, never to its database.
 */
import { z } from 'zod';
import type { OpsContext } from '../context.js';
import { ExternalError } from '../errors.js';
import { endpointsFor } from '../lib/endpoints.js';
import { answerText, httpClient, parseAnswer, type HttpClient } from '../lib/http.js';

/** The statuses a shipment can be in (shipping's domain), in their order. */
export const SHIPMENT_STATUSES = ['requested', 'packed', 'dispatched', 'delivered', 'cancelled'] as const;

const summarySchema = z.object({ orderId: z.string(), status: z.string(), version: z.number().int() }).loose();

/** The replay endpoint's answer (only what the CLI reads; other fields pass). */
const replayAnswerSchema = z.object({
  streams: z.number().int(),
  events: z.number().int(),
  equal: z.boolean(),
  differenceCount: z.number().int(),
  differences: z.array(z.object({ orderId: z.string(), live: summarySchema.nullable(), rebuilt: summarySchema.nullable() })),
  durationMs: z.number().int(),
});

const pageTotalSchema = z.object({ total: z.number().int() });

export interface ReplayResult {
  /** Shipments (event streams) folded again. */
  streams: number;
  events: number;
  /** True when every rebuilt row equals the live row it replaced. */
  equal: boolean;
  differenceCount: number;
  differences: z.infer<typeof replayAnswerSchema>['differences'];
  durationMs: number;
  /** Rows of the rebuilt projection by status. */
  byStatus: Record<(typeof SHIPMENT_STATUSES)[number], number>;
}

function shippingClient(ctx: OpsContext): HttpClient {
  return httpClient({
    service: 'the shipping service',
    baseUrl: endpointsFor(ctx.loaded.config).services.shipping,
    // A rebuild reads every event: give it longer than a usual request.
    timeoutMs: 120_000,
    hint: 'is shipping running? `oms status` shows it, `oms up` starts it, `oms logs shipping` says why it stopped',
  });
}

/** Rebuilds the shipments projection and reports whether it equals the live one (a difference fails the check, exit 1). */
export async function replayShipments(ctx: OpsContext): Promise<ReplayResult> {
  const client = shippingClient(ctx);
  const res = await client.send('POST', '/projections/shipments/replay');
  if (res.status === 503) {
    throw new ExternalError(`the shipping service is not ready (503): ${answerText(res.body)}`, { hint: 'it waits for PostgreSQL: `oms status` shows it, `oms logs shipping` says more' });
  }
  if (res.status !== 200) throw new ExternalError(`the shipping service: POST /projections/shipments/replay answered ${res.status}: ${answerText(res.body)}`.slice(0, 600));
  const report = parseAnswer(replayAnswerSchema, res.body, 'the shipping service (POST /projections/shipments/replay)');
  const counts = await Promise.all(SHIPMENT_STATUSES.map(async (status) => (await client.json('GET', `/shipments?status=${status}&limit=1`, pageTotalSchema)).total));
  const byStatus = Object.fromEntries(SHIPMENT_STATUSES.map((s, i) => [s, counts[i]!])) as ReplayResult['byStatus'];
  return { ...report, byStatus };
}

/** The replay as text: the counts, and the differences when there were any. */
export function renderReplay(r: ReplayResult): string {
  const lines = [
    `rebuilt the shipments projection from ${r.events} event(s) of ${r.streams} shipment(s) in ${r.durationMs} ms`,
    `  ${SHIPMENT_STATUSES.map((s) => `${s} ${r.byStatus[s]}`).join(' · ')}`,
    r.equal ? 'rebuilt == live: every rebuilt row equals the live row it replaced' : `rebuilt != live: ${r.differenceCount} shipment(s) differed (the rebuilt rows, from the events, now stand)`,
  ];
  for (const d of r.differences) lines.push(`  ${d.orderId}: live ${d.live ? `${d.live.status} v${d.live.version}` : 'missing'}, rebuilt ${d.rebuilt ? `${d.rebuilt.status} v${d.rebuilt.version}` : 'missing'}`);
  return lines.join('\n');
}
