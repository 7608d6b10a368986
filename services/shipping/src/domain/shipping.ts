import { HttpError, UnprocessableError } from '@oms/service-kit';
import { VersionConflictError } from './errors.js';
import { decide, foldShipment, type Shipment, type ShipmentCommand, type ShipmentEvent, type ShipmentState, type ShipmentStatus } from './shipment.js';

/** An event as the store recorded it: the event plus where and when it landed. */
export type RecordedShipmentEvent = ShipmentEvent & {
  /** Unique; also the outbox row id, so a consumer can drop a redelivered copy. */
  eventId: string;
  /** 1 for the first event of a stream, then 2, 3, … without gaps. */
  version: number;
  at: Date;
  /** Order of appends across all streams (gaps possible: a rolled-back append burns numbers). */
  position: number;
};

/** A shipment's stream as loaded: its history, its version and the state they make. */
export interface ShipmentStream {
  orderId: string;
  /** Number of events; 0 when the order has no shipment. */
  version: number;
  state: ShipmentState;
  events: RecordedShipmentEvent[];
}

/** One row of the shipments projection (the list behind `GET /shipments`). */
export interface ShipmentSummary {
  orderId: string;
  status: ShipmentStatus;
  carrier: string | null;
  trackingNumber: string | null;
  version: number;
  updatedAt: Date;
}

export interface ShipmentListQuery {
  status?: ShipmentStatus;
  limit: number;
  offset: number;
}

/** Where shipments live: the event store (with its outbox and projection) behind a port. */
export interface ShipmentStore {
  /** The stream of `orderId`; version 0 and no events when there is none. */
  load(orderId: string): Promise<ShipmentStream>;
  /**
   * Appends `events` after `stream.version` in one transaction with their outbox rows and the
   * projection row, and answers the stream after them. Throws {@link VersionConflictError} when
   * another append got there first.
   */
  append(stream: ShipmentStream, events: ShipmentEvent[]): Promise<ShipmentStream>;
  /** Shipments from the projection, most recently changed first. */
  list(query: ShipmentListQuery): Promise<{ items: ShipmentSummary[]; total: number }>;
  /**
   * Rebuilds the projection from the events and reports whether the rebuilt rows equal the
   * live ones they replace (the events are the truth, so the rebuilt rows stay either way).
   */
  replayProjection(): Promise<ReplayReport>;
  /** Resolves when the storage answers; used by `/health`. */
  ping(): Promise<void>;
}

/** One order whose live projection row differs from the rebuilt one (`null`: no row on that side). */
export interface ProjectionDifference {
  orderId: string;
  live: ShipmentSummary | null;
  rebuilt: ShipmentSummary | null;
}

/** What a replay did and whether the rebuilt projection equals the one it replaced. */
export interface ReplayReport {
  streams: number;
  events: number;
  /** True when every rebuilt row equals the live row it replaced, and no row is missing on either side. */
  equal: boolean;
  differenceCount: number;
  /** The first differences, by order id. */
  differences: ProjectionDifference[];
  durationMs: number;
}

/** The stream that results from appending recorded events to a loaded one. */
export function extendStream(stream: ShipmentStream, recorded: RecordedShipmentEvent[]): ShipmentStream {
  return {
    orderId: stream.orderId,
    version: stream.version + recorded.length,
    state: foldShipment(recorded, stream.state),
    events: [...stream.events, ...recorded],
  };
}

/** The projection row a stream makes; `null` while the stream is empty. */
export function summarize(stream: ShipmentStream): ShipmentSummary | null {
  const last = stream.events.at(-1);
  if (!stream.state || !last) return null;
  const { status, carrier, trackingNumber } = stream.state;
  return { orderId: stream.orderId, status, carrier, trackingNumber, version: stream.version, updatedAt: last.at };
}

export interface RequestShipmentResult {
  /** True for the one call that appended `ShipmentRequested`. */
  created: boolean;
  stream: ShipmentStream;
}

/**
 * Requests the shipment of an order. Idempotent: however often and however concurrently it is
 * called for one order, exactly one `ShipmentRequested` is appended (the Kafka consumer that
 * calls it may see a record many times). Losing the race for version 1 means someone else
 * created it, which is the wanted outcome.
 */
export async function requestShipment(store: ShipmentStore, orderId: string): Promise<RequestShipmentResult> {
  const stream = await store.load(orderId);
  const decision = decide(stream.state, { type: 'request', orderId });
  if (!decision.ok) throw new Error(`requesting a shipment cannot be rejected, yet it was: ${decision.rejection.message}`);
  if (decision.events.length === 0) return { created: false, stream };
  try {
    return { created: true, stream: await store.append(stream, decision.events) };
  } catch (err) {
    if (!(err instanceof VersionConflictError)) throw err;
    return { created: false, stream: await store.load(orderId) };
  }
}

/** A command on an existing shipment, as the REST API receives it. */
export type ShipmentChange = Exclude<ShipmentCommand, { type: 'request' }>;

/**
 * Runs a command on the shipment of `orderId`, decided on the version the caller saw.
 *
 * - no shipment: 404;
 * - `expectedVersion` is not the current version: 409 naming the current one (also when a
 *   concurrent command wins the race between load and append);
 * - the state does not allow the command: 422 saying why;
 * - otherwise the new events are appended and the new stream returned.
 */
export async function changeShipment(store: ShipmentStore, orderId: string, command: ShipmentChange, expectedVersion: number): Promise<ShipmentStream> {
  const stream = await store.load(orderId);
  if (stream.version === 0) throw shipmentNotFound(orderId);
  if (stream.version !== expectedVersion) throw new VersionConflictError(orderId, expectedVersion, stream.version);
  const decision = decide(stream.state, command);
  if (!decision.ok) {
    const { rejection } = decision;
    if (rejection.code === 'shipment_not_found') throw shipmentNotFound(orderId);
    throw new UnprocessableError(rejection.message, {
      code: rejection.code,
      command: rejection.command,
      status: rejection.status,
      allowedFrom: rejection.allowedFrom,
    });
  }
  return store.append(stream, decision.events);
}

/** The shipment of `orderId` with its history; 404 when there is none. */
export async function getShipment(store: ShipmentStore, orderId: string): Promise<ShipmentStream & { state: Shipment }> {
  const stream = await store.load(orderId);
  if (stream.state === null) throw shipmentNotFound(orderId);
  return { ...stream, state: stream.state };
}

function shipmentNotFound(orderId: string): HttpError {
  return new HttpError(404, 'not_found', `no shipment has been requested for order ${orderId}`, { orderId });
}

/** What following one order record did to its shipment (the follower counts these). */
export type FollowOutcome = 'requested' | 'unchanged' | 'cancelled' | 'not-cancellable';

/**
 * Applies one enriched order as the `orders-graph` consumer sees it: the order's shipment is
 * requested (exactly once, see {@link requestShipment}), and cancelled when the order is, unless
 * it is already past that (dispatched or delivered: with the carrier, `not-cancellable`) or
 * cancelled. Safe to repeat: a redelivered record finds the shipment as the first delivery left
 * it and appends nothing. A concurrent command that wins the race for the next version is
 * re-read and decided again.
 */
export async function followOrder(store: ShipmentStore, order: { orderId: string; cancelled: boolean }): Promise<FollowOutcome> {
  const { created, stream } = await requestShipment(store, order.orderId);
  if (!order.cancelled) return created ? 'requested' : 'unchanged';
  for (let current = stream; ; current = await store.load(order.orderId)) {
    const state = current.state;
    if (state?.status === 'cancelled') return 'unchanged';
    const decision = decide(state, { type: 'cancel', reason: 'the order was cancelled' });
    if (!decision.ok) return 'not-cancellable';
    try {
      await store.append(current, decision.events);
      return 'cancelled';
    } catch (err) {
      if (!(err instanceof VersionConflictError)) throw err;
    }
  }
}
