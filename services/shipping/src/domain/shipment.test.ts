import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { changeArb } from '../test-support/arbitraries.js';
import {
  decide,
  evolve,
  foldShipment,
  SHIPMENT_EVENT_TYPES,
  SHIPMENT_STATUSES,
  shipmentCommandSchema,
  shipmentEventSchema,
  type ShipmentCommand,
  type ShipmentEvent,
  type ShipmentState,
  type ShipmentStatus,
} from './shipment.js';

const ORDER = 'order-1';
const requested: ShipmentEvent = { type: 'ShipmentRequested', data: { orderId: ORDER } };
const packed: ShipmentEvent = { type: 'Packed', data: {} };
const dispatched: ShipmentEvent = { type: 'Dispatched', data: { carrier: 'DHL', trackingNumber: 'TN-1' } };
const delivered: ShipmentEvent = { type: 'Delivered', data: {} };
const cancelled: ShipmentEvent = { type: 'Cancelled', data: { reason: 'customer changed their mind' } };

/** A history that leads to each status. */
const historyOf: Record<ShipmentStatus, ShipmentEvent[]> = {
  requested: [requested],
  packed: [requested, packed],
  dispatched: [requested, packed, dispatched],
  delivered: [requested, packed, dispatched, delivered],
  cancelled: [requested, packed, cancelled],
};
const stateOf = (status: ShipmentStatus) => foldShipment(historyOf[status])!;

/** The rules, written out again as the specification decide must meet. */
const RULES: Record<Exclude<ShipmentCommand['type'], 'request'>, ShipmentStatus[]> = {
  pack: ['requested'],
  dispatch: ['packed'],
  deliver: ['dispatched'],
  cancel: ['requested', 'packed'],
};

const commands: Record<Exclude<ShipmentCommand['type'], 'request'>, ShipmentCommand> = {
  pack: { type: 'pack' },
  dispatch: { type: 'dispatch', carrier: 'UPS', trackingNumber: '1Z999' },
  deliver: { type: 'deliver' },
  cancel: { type: 'cancel', reason: 'out of stock' },
};

describe('evolve', () => {
  it('when a history is folded, then the state follows each event', () => {
    expect(foldShipment([])).toBeNull();
    expect(foldShipment([requested])).toEqual({ orderId: ORDER, status: 'requested', carrier: null, trackingNumber: null, cancelReason: null });
    expect(foldShipment([requested, packed])?.status).toBe('packed');
    expect(foldShipment([requested, packed, dispatched])).toEqual({
      orderId: ORDER,
      status: 'dispatched',
      carrier: 'DHL',
      trackingNumber: 'TN-1',
      cancelReason: null,
    });
    expect(foldShipment(historyOf.delivered)).toMatchObject({ status: 'delivered', carrier: 'DHL', trackingNumber: 'TN-1' });
    expect(foldShipment(historyOf.cancelled)).toMatchObject({ status: 'cancelled', cancelReason: 'customer changed their mind' });
  });

  it('when a cancellation has no reason, then the state has a null reason', () => {
    expect(foldShipment([requested, { type: 'Cancelled', data: {} }])?.cancelReason).toBeNull();
  });

  it('when folding is split in two, then it ends in the same state as folding at once', () => {
    const events = historyOf.delivered;
    expect(foldShipment(events.slice(2), foldShipment(events.slice(0, 2)))).toEqual(foldShipment(events));
  });

  it('when a stream does not start with ShipmentRequested, then evolve refuses the corrupt history', () => {
    expect(() => evolve(null, packed)).toThrow(/corrupt shipment stream: Packed before ShipmentRequested/);
  });
});

describe('decide', () => {
  it('when no shipment exists, then request appends exactly one ShipmentRequested', () => {
    expect(decide(null, { type: 'request', orderId: ORDER })).toEqual({ ok: true, events: [requested] });
  });

  it.each(SHIPMENT_STATUSES)('when the shipment is %s, then a repeated request appends nothing and is not an error', (status) => {
    expect(decide(stateOf(status), { type: 'request', orderId: ORDER })).toEqual({ ok: true, events: [] });
  });

  it.each(Object.keys(commands))('when no shipment exists, then %s is rejected as not found', (name) => {
    const decision = decide(null, commands[name as keyof typeof commands]);
    expect(decision).toMatchObject({ ok: false, rejection: { code: 'shipment_not_found' } });
  });

  it('when each command meets an allowed status, then it appends its one event', () => {
    expect(decide(stateOf('requested'), commands.pack)).toEqual({ ok: true, events: [packed] });
    expect(decide(stateOf('packed'), commands.dispatch)).toEqual({
      ok: true,
      events: [{ type: 'Dispatched', data: { carrier: 'UPS', trackingNumber: '1Z999' } }],
    });
    expect(decide(stateOf('dispatched'), commands.deliver)).toEqual({ ok: true, events: [delivered] });
    expect(decide(stateOf('requested'), commands.cancel)).toEqual({ ok: true, events: [{ type: 'Cancelled', data: { reason: 'out of stock' } }] });
    expect(decide(stateOf('packed'), { type: 'cancel' })).toEqual({ ok: true, events: [{ type: 'Cancelled', data: {} }] });
  });

  // Every command against every status: accepted exactly where the rules table says.
  const matrix = Object.keys(commands).flatMap((name) => SHIPMENT_STATUSES.map((status) => [name as keyof typeof commands, status] as const));
  it.each(matrix)('when %s meets a %s shipment, then it is accepted exactly when the rules table allows it', (name, status) => {
    const decision = decide(stateOf(status), commands[name]);
    expect(decision.ok).toBe(RULES[name].includes(status));
    if (!decision.ok) {
      expect(decision.rejection).toMatchObject({ code: 'not_allowed', command: name, status, allowedFrom: RULES[name] });
      expect(decision.rejection.message).toMatch(new RegExp(`^cannot ${name}: `));
    }
  });

  it('when dispatch comes before pack, then the rejection says to pack first', () => {
    const decision = decide(stateOf('requested'), commands.dispatch);
    expect(decision).toMatchObject({ ok: false, rejection: { message: 'cannot dispatch: the shipment has not been packed yet: pack it first' } });
  });

  it('when anything follows delivery, then the rejection says a delivered shipment takes no more commands', () => {
    for (const command of Object.values(commands)) {
      const decision = decide(stateOf('delivered'), command);
      expect(decision.ok).toBe(false);
      if (!decision.ok) expect(decision.rejection.message).toContain('the shipment was already delivered, and a delivered shipment takes no more commands');
    }
  });

  it('when cancel follows dispatch, then the rejection names the carrier and tracking number', () => {
    const decision = decide(stateOf('dispatched'), commands.cancel);
    expect(decision).toMatchObject({
      ok: false,
      rejection: { message: 'cannot cancel: the shipment was already dispatched with DHL (tracking TN-1) and is with the carrier' },
    });
  });

  it('when a cancelled shipment gets a command, then the rejection repeats the cancellation reason', () => {
    const decision = decide(stateOf('cancelled'), commands.pack);
    expect(decision).toMatchObject({
      ok: false,
      rejection: { message: 'cannot pack: the shipment was cancelled (customer changed their mind), and a cancelled shipment takes no more commands' },
    });
  });

  it('when pack is repeated, then it is refused as already packed', () => {
    expect(decide(stateOf('packed'), commands.pack)).toMatchObject({ ok: false, rejection: { message: 'cannot pack: the shipment is already packed' } });
  });

  it('when deliver comes before dispatch, then it is refused as not dispatched yet', () => {
    expect(decide(stateOf('packed'), commands.deliver)).toMatchObject({ ok: false, rejection: { message: 'cannot deliver: the shipment has not been dispatched yet' } });
  });
});

describe('decide and evolve together', () => {
  const commandArb = fc.oneof(changeArb, fc.constant({ type: 'request' as const, orderId: ORDER }));

  it('when any command sequence runs, then only allowed commands append, one request at most, nothing after a final status, and the state is the fold of the events', () => {
    fc.assert(
      fc.property(fc.array(commandArb, { maxLength: 30 }), (sequence) => {
        let state: ShipmentState = null;
        const history: ShipmentEvent[] = [];
        for (const command of sequence) {
          const before = state;
          const decision = decide(before, command);
          if (!decision.ok) continue;
          if (command.type !== 'request' && decision.events.length > 0) {
            expect(before).not.toBeNull();
            expect(RULES[command.type]).toContain(before!.status);
          }
          if (before?.status === 'delivered' || before?.status === 'cancelled') expect(decision.events).toEqual([]);
          for (const event of decision.events) state = evolve(state, event);
          history.push(...decision.events);
        }
        expect(history.filter((e) => e.type === 'ShipmentRequested').length).toBeLessThanOrEqual(1);
        if (history.length > 0) expect(history[0]!.type).toBe('ShipmentRequested');
        expect(foldShipment(history)).toEqual(state);
      }),
      { numRuns: 500 },
    );
  });
});

describe('schemas', () => {
  it('when the event type tuple is compared with the event union, then they list the same types', () => {
    expect([...SHIPMENT_EVENT_TYPES].sort()).toEqual(shipmentEventSchema.options.map((o) => o.shape.type.value).sort());
  });

  it('when every event of a full history is parsed, then it round-trips unchanged', () => {
    for (const event of [...historyOf.delivered, cancelled]) expect(shipmentEventSchema.parse(JSON.parse(JSON.stringify(event)))).toEqual(event);
  });

  it('when a dispatch command lacks its tracking number or has a blank carrier, then both problems are reported', () => {
    const result = shipmentCommandSchema.safeParse({ type: 'dispatch', carrier: '   ' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['carrier', 'trackingNumber']);
  });

  it('when a command type is unknown, then it does not parse', () => {
    expect(shipmentCommandSchema.safeParse({ type: 'teleport' }).success).toBe(false);
  });

  it('when carrier and tracking number have surrounding spaces, then they are trimmed', () => {
    expect(shipmentCommandSchema.parse({ type: 'dispatch', carrier: ' DHL ', trackingNumber: ' 42 ' })).toEqual({ type: 'dispatch', carrier: 'DHL', trackingNumber: '42' });
  });
});
