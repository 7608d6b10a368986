import { describe, expect, it } from 'vitest';
import type { EnrichedOrder } from './join.js';
import { fromCents, ORDER_VALUE_SCHEMA, toConnectRecord } from './output-schema.js';

const address = {
  id: 'a-1',
  streetType: 'AVENUE',
  streetName: 'Arequipa',
  streetNumber: '1200',
  buildingNumber: null,
  departmentNumber: '402',
  reference: null,
  latitude: -12.0464,
  longitude: -77.0428,
};

const order: EnrichedOrder = {
  id: 'o-1',
  customer: { id: 'c-1', name: 'Ana', lastName: 'Pérez', email: 'ana@example.com', identityDocument: 'DNI-1', active: true },
  items: [
    {
      lineNo: 1,
      sku: 'SKU-1',
      description: 'Mug',
      unitPriceCents: 1999,
      quantity: 3,
      lineTotalCents: 5997,
      deliveryAddress: { ...address, customerId: 'c-1' },
    },
  ],
  totalCents: 5997,
  status: 'placed',
  cancelledAt: null,
  createdAt: '2026-01-15T10:30:00.000Z',
  updatedAt: '2026-01-15T10:31:00.000Z',
};

describe('toConnectRecord', () => {
  it('when an order is serialised, then the key is a Connect struct with the id', () => {
    expect(JSON.parse(toConnectRecord(order).key)).toEqual({
      schema: { type: 'struct', name: 'oms.OrderKey', optional: false, fields: [{ field: 'id', type: 'string', optional: false }] },
      payload: { id: 'o-1' },
    });
  });

  it('when an order is serialised, then the value has exactly the orders table columns with their types', () => {
    const value = JSON.parse(toConnectRecord(order).value);
    expect(value.schema).toEqual(ORDER_VALUE_SCHEMA);
    expect(value.schema.fields.map((f: { field: string; type: string; name?: string }) => [f.field, f.type, f.name ?? null])).toEqual([
      ['id', 'string', null],
      ['customer_id', 'string', null],
      ['customer_name', 'string', null],
      ['customer_email', 'string', null],
      ['customer', 'string', 'io.debezium.data.Json'],
      ['items', 'string', 'io.debezium.data.Json'],
      ['total', 'double', null],
      ['status', 'string', null],
      ['cancelled_at', 'string', 'io.debezium.time.ZonedTimestamp'],
      ['created_at', 'string', 'io.debezium.time.ZonedTimestamp'],
      ['updated_at', 'string', 'io.debezium.time.ZonedTimestamp'],
    ]);
    expect(Object.keys(value.payload)).toEqual(value.schema.fields.map((f: { field: string }) => f.field));
    expect(value.payload).toMatchObject({
      id: 'o-1',
      customer_id: 'c-1',
      customer_name: 'Ana Pérez',
      customer_email: 'ana@example.com',
      total: 59.97,
      status: 'placed',
      cancelled_at: null,
      created_at: '2026-01-15T10:30:00.000Z',
      updated_at: '2026-01-15T10:31:00.000Z',
    });
  });

  it('when the order is cancelled, then status and cancelled_at say so; cancelled_at is the one optional field', () => {
    const payload = JSON.parse(toConnectRecord({ ...order, status: 'cancelled', cancelledAt: '2026-01-15T11:00:00.000Z' }).value).payload;
    expect(payload).toMatchObject({ status: 'cancelled', cancelled_at: '2026-01-15T11:00:00.000Z' });
    expect(ORDER_VALUE_SCHEMA.fields.filter((f) => f.optional).map((f) => f.field)).toEqual(['cancelled_at']);
  });

  it('when JSON columns are serialised, then they hold camelCase JSON text', () => {
    const payload = JSON.parse(toConnectRecord(order).value).payload;
    expect(JSON.parse(payload.customer)).toEqual({ id: 'c-1', name: 'Ana', lastName: 'Pérez', email: 'ana@example.com', identityDocument: 'DNI-1', active: true });
    expect(JSON.parse(payload.items)).toEqual([
      {
        sku: 'SKU-1',
        description: 'Mug',
        unitPrice: 19.99,
        quantity: 3,
        lineTotal: 59.97,
        // The address as the read model keeps it: without the customer id.
        deliveryAddress: address,
      },
    ]);
  });

  it('when a customer has no last name, then customer_name has no trailing space', () => {
    const payload = JSON.parse(toConnectRecord({ ...order, customer: { ...order.customer, lastName: '' } }).value).payload;
    expect(payload.customer_name).toBe('Ana');
  });

  it('when cents are converted, then amounts have at most two exact decimals', () => {
    expect([fromCents(6007), fromCents(30), fromCents(1), fromCents(123456789)]).toEqual([60.07, 0.3, 0.01, 1234567.89]);
  });
});
