import { z } from 'zod';

/**
 * The shipment aggregate, event-sourced. Everything here is pure: no I/O, no clock.
 *
 * - Events are the only source of truth; {@link evolve} folds them into a state.
 * - {@link decide} takes a state and a command and answers the events to append, or a
 *   rejection that says why the command is not allowed.
 *
 * One shipment per order: its stream id is the order id.
 *
 * The rules (a command is accepted only from the listed statuses):
 *
 * | command  | allowed when         | appends             |
 * |----------|----------------------|---------------------|
 * | request  | no shipment yet      | `ShipmentRequested` (a repeat is a no-op, never a second event) |
 * | pack     | requested            | `Packed`            |
 * | dispatch | packed               | `Dispatched` {carrier, trackingNumber} |
 * | deliver  | dispatched           | `Delivered`         |
 * | cancel   | requested, packed    | `Cancelled` {reason?} |
 *
 * Delivered and cancelled are final. A dispatched shipment cannot be cancelled: it is with
 * the carrier, and getting it back is a return, which this demo does not model.
 */

/** Carrier names and tracking numbers are short free text. */
const label = (max: number) => z.string().trim().min(1).max(max);
export const CARRIER_MAX_LENGTH = 100;
export const TRACKING_NUMBER_MAX_LENGTH = 100;
export const CANCEL_REASON_MAX_LENGTH = 500;

// ---------------------------------------------------------------------------------------------
// Events: the stored facts. Their zod schemas validate what is read back from the store and are
// the contract of topic `shipment-events`.

export const shipmentRequestedSchema = z.object({
  type: z.literal('ShipmentRequested'),
  data: z.object({ orderId: z.string().min(1) }),
});
export const packedSchema = z.object({ type: z.literal('Packed'), data: z.object({}) });
export const dispatchedSchema = z.object({
  type: z.literal('Dispatched'),
  data: z.object({ carrier: label(CARRIER_MAX_LENGTH), trackingNumber: label(TRACKING_NUMBER_MAX_LENGTH) }),
});
export const deliveredSchema = z.object({ type: z.literal('Delivered'), data: z.object({}) });
// `reason` is left out rather than null when absent: Debezium's JSON expansion of the outbox
// payload infers a schema from the document, and a null gives it nothing to infer from.
export const cancelledSchema = z.object({
  type: z.literal('Cancelled'),
  data: z.object({ reason: label(CANCEL_REASON_MAX_LENGTH).optional() }),
});

/** Any shipment event. */
export const shipmentEventSchema = z.discriminatedUnion('type', [
  shipmentRequestedSchema,
  packedSchema,
  dispatchedSchema,
  deliveredSchema,
  cancelledSchema,
]);
export type ShipmentEvent = z.infer<typeof shipmentEventSchema>;
export type ShipmentEventType = ShipmentEvent['type'];
/** Every event type, as a tuple for `z.enum`; a unit test keeps it equal to the union above. */
export const SHIPMENT_EVENT_TYPES = ['ShipmentRequested', 'Packed', 'Dispatched', 'Delivered', 'Cancelled'] as const satisfies readonly ShipmentEventType[];

// ---------------------------------------------------------------------------------------------
// Commands: what a caller asks for. The REST bodies are these plus `expectedVersion`.

export const requestCommandSchema = z.object({ type: z.literal('request'), orderId: z.string().min(1) });
export const packCommandSchema = z.object({ type: z.literal('pack') });
export const dispatchCommandSchema = z.object({
  type: z.literal('dispatch'),
  carrier: label(CARRIER_MAX_LENGTH),
  trackingNumber: label(TRACKING_NUMBER_MAX_LENGTH),
});
export const deliverCommandSchema = z.object({ type: z.literal('deliver') });
export const cancelCommandSchema = z.object({ type: z.literal('cancel'), reason: label(CANCEL_REASON_MAX_LENGTH).optional() });

/** Any shipment command. */
export const shipmentCommandSchema = z.discriminatedUnion('type', [
  requestCommandSchema,
  packCommandSchema,
  dispatchCommandSchema,
  deliverCommandSchema,
  cancelCommandSchema,
]);
export type ShipmentCommand = z.infer<typeof shipmentCommandSchema>;
export type ShipmentCommandType = ShipmentCommand['type'];

// ---------------------------------------------------------------------------------------------
// State

export const SHIPMENT_STATUSES = ['requested', 'packed', 'dispatched', 'delivered', 'cancelled'] as const;
export const shipmentStatusSchema = z.enum(SHIPMENT_STATUSES);
export type ShipmentStatus = z.infer<typeof shipmentStatusSchema>;

/** A shipment as its events make it. */
export interface Shipment {
  orderId: string;
  status: ShipmentStatus;
  carrier: string | null;
  trackingNumber: string | null;
  cancelReason: string | null;
}

/** `null` before the first event: the order has no shipment. */
export type ShipmentState = Shipment | null;

export const initialState: ShipmentState = null;

/**
 * Applies one event. Events are facts, so nothing is checked here except what would make the
 * history meaningless: a shipment whose first event is not `ShipmentRequested` (a corrupt
 * stream, never produced by {@link decide}) throws rather than inventing a state.
 */
export function evolve(state: ShipmentState, event: ShipmentEvent): ShipmentState {
  if (event.type === 'ShipmentRequested') {
    return state ?? { orderId: event.data.orderId, status: 'requested', carrier: null, trackingNumber: null, cancelReason: null };
  }
  if (state === null) throw new Error(`corrupt shipment stream: ${event.type} before ShipmentRequested`);
  switch (event.type) {
    case 'Packed':
      return { ...state, status: 'packed' };
    case 'Dispatched':
      return { ...state, status: 'dispatched', carrier: event.data.carrier, trackingNumber: event.data.trackingNumber };
    case 'Delivered':
      return { ...state, status: 'delivered' };
    case 'Cancelled':
      return { ...state, status: 'cancelled', cancelReason: event.data.reason ?? null };
  }
}

/** Folds a whole history; the state of a shipment is nothing but this. */
export function foldShipment(events: Iterable<ShipmentEvent>, state: ShipmentState = initialState): ShipmentState {
  let current = state;
  for (const event of events) current = evolve(current, event);
  return current;
}

// ---------------------------------------------------------------------------------------------
// Decisions

/** Why a command was refused; `code` is stable for clients, `message` is for people. */
export type Rejection =
  | { code: 'shipment_not_found'; message: string }
  | {
      code: 'not_allowed';
      message: string;
      command: ShipmentCommandType;
      status: ShipmentStatus;
      allowedFrom: readonly ShipmentStatus[];
    };

export type Decision = { ok: true; events: ShipmentEvent[] } | { ok: false; rejection: Rejection };

/** The statuses each command is accepted from (`request` is accepted only without a shipment). */
export const ALLOWED_FROM: Readonly<Record<Exclude<ShipmentCommandType, 'request'>, readonly ShipmentStatus[]>> = {
  pack: ['requested'],
  dispatch: ['packed'],
  deliver: ['dispatched'],
  cancel: ['requested', 'packed'],
};

const accept = (...events: ShipmentEvent[]): Decision => ({ ok: true, events });

/**
 * Decides what a command does to a shipment. Pure: the caller loads the state, checks the
 * expected version and appends the events.
 */
export function decide(state: ShipmentState, command: ShipmentCommand): Decision {
  if (command.type === 'request') {
    // Exactly one ShipmentRequested per order however often it is asked: a repeat is a no-op.
    return state === null ? accept({ type: 'ShipmentRequested', data: { orderId: command.orderId } }) : accept();
  }
  if (state === null) {
    return { ok: false, rejection: { code: 'shipment_not_found', message: `no shipment has been requested for this order, so it cannot be ${pastTense[command.type]}` } };
  }
  const allowedFrom = ALLOWED_FROM[command.type];
  if (!allowedFrom.includes(state.status)) {
    return {
      ok: false,
      rejection: { code: 'not_allowed', message: refusal(command.type, state), command: command.type, status: state.status, allowedFrom },
    };
  }
  switch (command.type) {
    case 'pack':
      return accept({ type: 'Packed', data: {} });
    case 'dispatch':
      return accept({ type: 'Dispatched', data: { carrier: command.carrier, trackingNumber: command.trackingNumber } });
    case 'deliver':
      return accept({ type: 'Delivered', data: {} });
    case 'cancel':
      return accept({ type: 'Cancelled', data: command.reason === undefined ? {} : { reason: command.reason } });
  }
}

const pastTense: Record<Exclude<ShipmentCommandType, 'request'>, string> = {
  pack: 'packed',
  dispatch: 'dispatched',
  deliver: 'delivered',
  cancel: 'cancelled',
};

/** "cannot <command>: <why>" — the why names what happened or what has to happen first. */
function refusal(command: Exclude<ShipmentCommandType, 'request'>, state: Shipment): string {
  const why = ((): string => {
    switch (state.status) {
      case 'delivered':
        return 'the shipment was already delivered, and a delivered shipment takes no more commands';
      case 'cancelled':
        return `the shipment was cancelled${state.cancelReason ? ` (${state.cancelReason})` : ''}, and a cancelled shipment takes no more commands`;
      case 'dispatched':
        return command === 'cancel'
          ? `the shipment was already dispatched with ${state.carrier!} (tracking ${state.trackingNumber!}) and is with the carrier`
          : `the shipment was already dispatched with ${state.carrier!} (tracking ${state.trackingNumber!})`;
      case 'packed':
        return command === 'pack' ? 'the shipment is already packed' : 'the shipment has not been dispatched yet';
      case 'requested':
        return command === 'dispatch' ? 'the shipment has not been packed yet: pack it first' : 'the shipment has not been dispatched yet';
    }
  })();
  return `cannot ${command}: ${why}`;
}
