import { HttpError } from '@oms/service-kit';
import { describe, expect, it } from 'vitest';
import { InMemoryShipmentStore } from '../test-support/in-memory-store.js';
import { VersionConflictError } from './errors.js';
import { changeShipment, getShipment, requestShipment, summarize } from './shipping.js';
import { caught } from '../test-support/async.js';

const ORDER = '7f1c2a5e-9a6b-4c1d-8e2f-0a1b2c3d4e5f';

describe('requestShipment', () => {
  it('when called for a new order, then it appends one ShipmentRequested and reports it created', async () => {
    const store = new InMemoryShipmentStore();
    const result = await requestShipment(store, ORDER);
    expect(result.created).toBe(true);
    expect(result.stream.version).toBe(1);
    expect(store.streams.get(ORDER)?.map((e) => e.type)).toEqual(['ShipmentRequested']);
  });

  it('when called ten times for one order, then there is still exactly one ShipmentRequested', async () => {
    const store = new InMemoryShipmentStore();
    const results = [];
    for (let i = 0; i < 10; i++) results.push(await requestShipment(store, ORDER));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(store.streams.get(ORDER)).toHaveLength(1);
  });

  it('when another caller creates the shipment between load and append, then the loser reports it existing instead of failing', async () => {
    const store = new InMemoryShipmentStore();
    store.beforeAppend = async () => {
      await requestShipment(store, ORDER);
    };
    const result = await requestShipment(store, ORDER);
    expect(result.created).toBe(false);
    expect(result.stream.version).toBe(1);
    expect(store.streams.get(ORDER)).toHaveLength(1);
  });

  it('when the shipment was already cancelled, then a repeated request appends nothing', async () => {
    const store = new InMemoryShipmentStore();
    await requestShipment(store, ORDER);
    await changeShipment(store, ORDER, { type: 'cancel' }, 1);
    expect((await requestShipment(store, ORDER)).created).toBe(false);
    expect(store.streams.get(ORDER)?.map((e) => e.type)).toEqual(['ShipmentRequested', 'Cancelled']);
  });
});

describe('changeShipment', () => {
  it('when commands follow the rules with the current version, then each appends and the version grows', async () => {
    const store = new InMemoryShipmentStore();
    await requestShipment(store, ORDER);
    await changeShipment(store, ORDER, { type: 'pack' }, 1);
    await changeShipment(store, ORDER, { type: 'dispatch', carrier: 'DHL', trackingNumber: 'TN-9' }, 2);
    const stream = await changeShipment(store, ORDER, { type: 'deliver' }, 3);
    expect(stream.version).toBe(4);
    expect(stream.state).toMatchObject({ status: 'delivered', carrier: 'DHL', trackingNumber: 'TN-9' });
    expect(stream.events.map((e) => [e.version, e.type])).toEqual([
      [1, 'ShipmentRequested'],
      [2, 'Packed'],
      [3, 'Dispatched'],
      [4, 'Delivered'],
    ]);
    expect(store.projection.get(ORDER)).toEqual(summarize(stream));
  });

  it('when the order has no shipment, then it is a 404, even with a version', async () => {
    const err = await caught(changeShipment(new InMemoryShipmentStore(), ORDER, { type: 'pack' }, 3));
    expect(err).toBeInstanceOf(HttpError);
    expect(err).toMatchObject({ status: 404, message: `no shipment has been requested for order ${ORDER}` });
  });

  it('when expectedVersion is stale, then it is a 409 naming the current version and nothing is appended', async () => {
    const store = new InMemoryShipmentStore();
    await requestShipment(store, ORDER);
    await changeShipment(store, ORDER, { type: 'pack' }, 1);
    const appends = store.appends;
    const err = await caught(changeShipment(store, ORDER, { type: 'cancel' }, 1));
    expect(err).toBeInstanceOf(VersionConflictError);
    expect(err).toMatchObject({ status: 409, expectedVersion: 1, currentVersion: 2 });
    expect((err as Error).message).toContain('it is at version 2');
    expect(store.appends).toBe(appends);
  });

  it('when a stale version meets a command the state would refuse anyway, then the version conflict wins (the client decided on old state)', async () => {
    const store = new InMemoryShipmentStore();
    await requestShipment(store, ORDER);
    await changeShipment(store, ORDER, { type: 'pack' }, 1);
    const err = await caught(changeShipment(store, ORDER, { type: 'pack' }, 1));
    expect(err).toMatchObject({ status: 409, currentVersion: 2 });
  });

  it('when the state does not allow the command, then it is a 422 saying why, with the allowed statuses', async () => {
    const store = new InMemoryShipmentStore();
    await requestShipment(store, ORDER);
    const err = await caught(changeShipment(store, ORDER, { type: 'dispatch', carrier: 'DHL', trackingNumber: 'T' }, 1));
    expect(err).toMatchObject({
      status: 422,
      message: 'cannot dispatch: the shipment has not been packed yet: pack it first',
      details: { code: 'not_allowed', command: 'dispatch', status: 'requested', allowedFrom: ['packed'] },
    });
    expect(store.streams.get(ORDER)).toHaveLength(1);
  });

  it('when another command commits between load and append, then the loser gets a 409 naming the new version', async () => {
    const store = new InMemoryShipmentStore();
    await requestShipment(store, ORDER);
    await changeShipment(store, ORDER, { type: 'pack' }, 1);
    store.beforeAppend = async () => {
      await changeShipment(store, ORDER, { type: 'dispatch', carrier: 'A', trackingNumber: '1' }, 2);
    };
    const err = await caught(changeShipment(store, ORDER, { type: 'dispatch', carrier: 'B', trackingNumber: '2' }, 2));
    expect(err).toMatchObject({ status: 409, expectedVersion: 2, currentVersion: 3 });
    expect((await getShipment(store, ORDER)).state).toMatchObject({ carrier: 'A', trackingNumber: '1' });
  });
});

describe('getShipment', () => {
  it('when the order has no shipment, then it is a 404', async () => {
    expect(await caught(getShipment(new InMemoryShipmentStore(), ORDER))).toMatchObject({ status: 404 });
  });

  it('when the shipment exists, then its state, version and history come back', async () => {
    const store = new InMemoryShipmentStore();
    await requestShipment(store, ORDER);
    await changeShipment(store, ORDER, { type: 'cancel', reason: 'fraud' }, 1);
    const stream = await getShipment(store, ORDER);
    expect(stream.state).toMatchObject({ status: 'cancelled', cancelReason: 'fraud' });
    expect(stream.version).toBe(2);
    expect(stream.events.map((e) => e.type)).toEqual(['ShipmentRequested', 'Cancelled']);
  });
});
