import { pagination } from '@oms/service-kit';
import { z } from 'zod';
import {
  cancelCommandSchema,
  deliverCommandSchema,
  dispatchCommandSchema,
  packCommandSchema,
  SHIPMENT_EVENT_TYPES,
  shipmentStatusSchema,
} from './shipment.js';
import type { RecordedShipmentEvent, ReplayReport, ShipmentChange, ShipmentStream, ShipmentSummary } from './shipping.js';

/**
 * The shipping REST contract. Request bodies are the domain's command schemas plus
 * `expectedVersion`, so validation, the types and (later) the OpenAPI document share one source.
 */

// The other services hand out lower-case UUIDs; normalising lets "ABC…" match "abc…".
const orderId = z.uuid().transform((value) => value.toLowerCase());

/** Path of every `/shipments/:orderId…` route; a malformed id is a 400. */
export const shipmentPathSchema = z.object({ orderId });

/** The version the client last read: a command is decided on it, or refused with a 409. */
const expectedVersion = z.number().int().min(0);

/** Bodies of `POST /shipments/:orderId/<command>`, by command. */
export const commandBodySchemas = {
  pack: packCommandSchema.omit({ type: true }).extend({ expectedVersion }),
  dispatch: dispatchCommandSchema.omit({ type: true }).extend({ expectedVersion }),
  deliver: deliverCommandSchema.omit({ type: true }).extend({ expectedVersion }),
  cancel: cancelCommandSchema.omit({ type: true }).extend({ expectedVersion }),
} as const;
export type CommandName = keyof typeof commandBodySchemas;
export const COMMAND_NAMES = Object.keys(commandBodySchemas) as CommandName[];

/** The command a validated body stands for, and the version it was decided on. */
export function toCommand<N extends CommandName>(name: N, body: z.infer<(typeof commandBodySchemas)[N]>): { command: ShipmentChange; expectedVersion: number } {
  const { expectedVersion: version, ...fields } = body;
  return { command: { type: name, ...fields } as ShipmentChange, expectedVersion: version };
}

/** Query of `GET /shipments`: an optional status, newest changes first. */
export const listShipmentsQuerySchema = pagination(100, 20).extend({ status: shipmentStatusSchema.optional() });

const summaryShape = {
  orderId: z.string(),
  status: shipmentStatusSchema,
  carrier: z.string().nullable(),
  trackingNumber: z.string().nullable(),
  version: z.number().int(),
  updatedAt: z.iso.datetime(),
};

/** One entry of a shipment's history. */
export const historyEntrySchema = z.object({
  version: z.number().int(),
  type: z.enum(SHIPMENT_EVENT_TYPES),
  at: z.iso.datetime(),
  eventId: z.uuid(),
  data: z.record(z.string(), z.unknown()),
});

/** `GET /shipments/:orderId` and the answer to every command: the state and its whole history. */
export const shipmentViewSchema = z.object({ ...summaryShape, cancelReason: z.string().nullable(), history: z.array(historyEntrySchema) });
export type ShipmentView = z.infer<typeof shipmentViewSchema>;

/** `GET /shipments`: rows of the projection. */
export const shipmentPageSchema = z.object({
  items: z.array(z.object(summaryShape)),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type ShipmentPage = z.infer<typeof shipmentPageSchema>;

/** `POST /projections/shipments/replay`: what the rebuild did and whether it matched the live rows. */
export const replayReportSchema = z.object({
  streams: z.number().int(),
  events: z.number().int(),
  equal: z.boolean(),
  differenceCount: z.number().int(),
  differences: z.array(
    z.object({ orderId: z.string(), live: z.object(summaryShape).nullable(), rebuilt: z.object(summaryShape).nullable() }),
  ),
  durationMs: z.number().int(),
});
export type ReplayReportView = z.infer<typeof replayReportSchema>;

/** The API view of a replay report. */
export function toReplayReportView(report: ReplayReport): ReplayReportView {
  const row = (summary: ShipmentSummary | null) => (summary ? toSummaryView(summary) : null);
  return { ...report, differences: report.differences.map((d) => ({ orderId: d.orderId, live: row(d.live), rebuilt: row(d.rebuilt) })) };
}

const historyEntry = (e: RecordedShipmentEvent): ShipmentView['history'][number] => ({
  version: e.version,
  type: e.type,
  at: e.at.toISOString(),
  eventId: e.eventId,
  data: e.data,
});

/** The API view of a loaded stream that has a shipment. */
export function toShipmentView(stream: ShipmentStream): ShipmentView {
  const { state, events } = stream;
  const last = events.at(-1);
  if (!state || !last) throw new Error(`order ${stream.orderId} has no shipment to show`);
  return {
    orderId: stream.orderId,
    status: state.status,
    carrier: state.carrier,
    trackingNumber: state.trackingNumber,
    cancelReason: state.cancelReason,
    version: stream.version,
    updatedAt: last.at.toISOString(),
    history: events.map(historyEntry),
  };
}

/** The API view of a projection row. */
export function toSummaryView(summary: ShipmentSummary): ShipmentPage['items'][number] {
  return { ...summary, updatedAt: summary.updatedAt.toISOString() };
}
