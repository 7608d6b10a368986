import type { InputRecord, SourceKind } from '../domain/join.js';

/**
 * Debezium-shaped records for tests (unwrap SMT, JsonConverter without schemas): the unit tests
 * feed them to the join, the integration tests produce them to Kafka.
 */

export const ids = {
  customer: '5b1d1c2e-0000-4000-8000-000000000001',
  address1: '5b1d1c2e-0000-4000-8000-0000000000a1',
  address2: '5b1d1c2e-0000-4000-8000-0000000000a2',
  order: '5b1d1c2e-0000-4000-8000-0000000000f1',
};

export const T0 = Date.UTC(2026, 0, 15, 10, 30, 0);

export function customerValue(id = ids.customer, overrides: Record<string, unknown> = {}) {
  return {
    id,
    name: 'Ana',
    last_name: 'Pérez',
    email: `ana.${id.slice(-4)}@example.com`,
    identity_document: 'DNI-1234',
    active: 1,
    created_at: T0,
    updated_at: T0,
    __deleted: 'false',
    ...overrides,
  };
}

export function addressValue(id: string, customerId = ids.customer, overrides: Record<string, unknown> = {}) {
  return {
    id,
    customer_id: customerId,
    street_type: 'AVENUE',
    street_name: 'Arequipa',
    street_number: '1200',
    building_number: 'B',
    department_number: '402',
    reference: 'next to the park',
    latitude: -12.0464,
    longitude: -77.0428,
    __deleted: 'false',
    ...overrides,
  };
}

export function productValue(sku: string, price: number | string, overrides: Record<string, unknown> = {}) {
  return {
    sku,
    description: `Product ${sku}`,
    price,
    productType: 'GOODS',
    length: 1,
    width: 1,
    height: 1,
    weight: 1,
    unitMeasurement: 'CM',
    hierarchies: [{ hierarchyName: 'cat', hierarchyDescription: 'Category' }],
    ...overrides,
  };
}

export function orderValue(id: string, lineCount: number, customerId = ids.customer, overrides: Record<string, unknown> = {}) {
  return { id, customer_id: customerId, line_count: lineCount, created_at: T0, updated_at: T0, ...overrides };
}

export function detailValue(orderId: string, lineNo: number, sku: string, quantity: number, addressId: string, overrides: Record<string, unknown> = {}) {
  return { id: `${orderId.slice(0, 8)}-d${lineNo}`, order_id: orderId, line_no: lineNo, sku, quantity, address_id: addressId, ...overrides };
}

/** Kafka key bytes as Debezium writes them for each topic. */
export function keyFor(kind: SourceKind, value: Record<string, unknown> | null, id?: string): string {
  switch (kind) {
    case 'customer':
    case 'address':
      return JSON.stringify({ id: id ?? value?.id });
    case 'products':
      return String(id ?? value?.sku);
    case 'order':
      return JSON.stringify({ order_id: id ?? value?.id });
    case 'order_detail':
      return JSON.stringify({ order_id: id ?? value?.order_id });
  }
}

/** Builds InputRecords with increasing offsets per kind/partition, like a consumer would see. */
export class RecordFeed {
  private readonly offsets = new Map<string, number>();

  constructor(private readonly partition = 0) {}

  next(kind: SourceKind, value: Record<string, unknown> | string | null, options: { key?: string; partition?: number } = {}): InputRecord {
    const partition = options.partition ?? this.partition;
    const slot = `${kind}/${partition}`;
    const offset = this.offsets.get(slot) ?? 0;
    this.offsets.set(slot, offset + 1);
    const key = options.key ?? keyFor(kind, typeof value === 'object' ? value : null);
    return {
      kind,
      topic: kind,
      partition,
      offset,
      key,
      value: value === null ? null : typeof value === 'string' ? value : JSON.stringify(value),
    };
  }
}
