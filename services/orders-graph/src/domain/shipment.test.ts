import { describe, expect, it } from 'vitest';
import { shipmentEventRecordSchema, toShipment, type StoredShipmentEvent } from './shipment.js';

const event = (version: number, type: string, data: Record<string, unknown> = {}): StoredShipmentEvent => ({
  version,
  type,
  at: `2026-01-15T10:0${version}:00+00:00`,
  data,
});

describe('toShipment', () => {
  it('when the order has no events, then it has no shipment', () => {
    expect(toShipment([])).toBeNull();
  });

  it('when the events arrive out of order, then the status is the newest one and the history is in version order', () => {
    const shipment = toShipment([event(3, 'Dispatched', { carrier: 'DHL', trackingNumber: 'T-1' }), event(1, 'ShipmentRequested', { orderId: 'o' }), event(2, 'Packed')]);
    expect(shipment).toEqual({
      status: 'dispatched',
      carrier: 'DHL',
      trackingNumber: 'T-1',
      version: 3,
      history: [
        { version: 1, type: 'ShipmentRequested', at: '2026-01-15T10:01:00.000Z' },
        { version: 2, type: 'Packed', at: '2026-01-15T10:02:00.000Z' },
        { version: 3, type: 'Dispatched', at: '2026-01-15T10:03:00.000Z' },
      ],
    });
  });

  it('when the shipment was delivered or cancelled, then that is its status and a cancelled one has no carrier', () => {
    expect(toShipment([event(1, 'ShipmentRequested'), event(2, 'Packed'), event(3, 'Dispatched', { carrier: 'UPS', trackingNumber: '1Z' }), event(4, 'Delivered')])).toMatchObject({ status: 'delivered', carrier: 'UPS', version: 4 });
    expect(toShipment([event(1, 'ShipmentRequested'), event(2, 'Cancelled', { reason: 'the order was cancelled' })])).toMatchObject({ status: 'cancelled', carrier: null, trackingNumber: null });
  });
});

describe('shipmentEventRecordSchema', () => {
  it("when a record carries shipping's outbox payload, then it parses; without a version it does not", () => {
    const payload = { eventId: '0d6f6a4e-7b1c-4f3a-9e2d-5c8b7a6f5e41', orderId: 'o-1', version: 1, type: 'ShipmentRequested', at: '2026-01-15T10:31:00.000Z', data: { orderId: 'o-1' } };
    expect(shipmentEventRecordSchema.parse(payload)).toEqual(payload);
    const { version: _v, ...noVersion } = payload;
    expect(shipmentEventRecordSchema.safeParse(noVersion).success).toBe(false);
  });
});
