import { z } from 'zod';
import { shipmentSchema, toShipment, type StoredShipmentEvent } from './shipment.js';

/**
 * The read model as GraphQL serves it, and the pure mapping from a row of table `orders`.
 *
 * Rows are written by a Kafka Connect JDBC sink, not by us, so the mapping is deliberately
 * forgiving: JSON that arrives as a string is parsed, numbers that arrive as strings
 * (NUMERIC, Debezium decimals) are converted, and snake_case keys are accepted beside the
 * camelCase ones. A malformed row degrades to nulls instead of failing the whole query.
 */

/** A row of table `orders` as node-postgres returns it (NUMERIC as string, TIMESTAMPTZ as Date). */
export interface OrderRow {
  id: string;
  customer_id: string | null;
  customer_name: string | null;
  customer_email: string | null;
  customer: unknown;
  items: unknown;
  total: string | number | null;
  status: string | null;
  cancelled_at: Date | string | null;
  created_at: Date | string | null;
  updated_at: Date | string | null;
  /** The order's rows of `shipment_events`, aggregated by the query (null: none yet). */
  shipment_events?: StoredShipmentEvent[] | null;
}

/*
 * The read model as GraphQL serves it. These schemas are the one source of the service's
 * types; the SDL in routes/graphql-schema.ts says the same in GraphQL, and a test
 * (graphql-schema.test.ts) fails when the two disagree on a field, its type or its nullability.
 */

/** GraphQL `DeliveryAddress`. */
export const deliveryAddressSchema = z.object({
  id: z.string().nullable(),
  streetType: z.string().nullable(),
  streetName: z.string().nullable(),
  streetNumber: z.string().nullable(),
  buildingNumber: z.string().nullable(),
  departmentNumber: z.string().nullable(),
  reference: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
});
export type DeliveryAddress = z.infer<typeof deliveryAddressSchema>;

/** GraphQL `OrderItem`. */
export const orderItemSchema = z.object({
  sku: z.string(),
  description: z.string().nullable(),
  unitPrice: z.number().nullable(),
  quantity: z.number().int(),
  lineTotal: z.number().nullable(),
  deliveryAddress: deliveryAddressSchema.nullable(),
});
export type OrderItem = z.infer<typeof orderItemSchema>;

/** GraphQL `Customer`. */
export const customerSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  lastName: z.string().nullable(),
  email: z.string().nullable(),
});
export type Customer = z.infer<typeof customerSchema>;

/** GraphQL `Order`; timestamps are ISO 8601 UTC. */
export const orderSchema = z.object({
  id: z.string(),
  customer: customerSchema.nullable(),
  items: z.array(orderItemSchema),
  total: z.number(),
  /** `placed` or `cancelled`. */
  status: z.string(),
  cancelledAt: z.string().nullable(),
  createdAt: z.string().nullable(),
  updatedAt: z.string().nullable(),
  /** Null until shipping's first event for the order reaches the read model. */
  shipment: shipmentSchema.nullable(),
});
export type Order = z.infer<typeof orderSchema>;

/** GraphQL `OrderPage`. */
export const orderPageSchema = z.object({
  items: z.array(orderSchema),
  total: z.number().int(),
});
export type OrderPage = z.infer<typeof orderPageSchema>;

/** Maps one row of `orders` to the GraphQL `Order`. Pure; never throws on odd data. */
export function toOrder(row: OrderRow): Order {
  const items = asArray(parseJson(row.items)).flatMap((raw) => {
    const item = asRecord(raw);
    return item ? [toOrderItem(item)] : [];
  });
  return {
    id: row.id,
    customer: toCustomer(row),
    items,
    // The stored total is authoritative; the sum of lines only covers rows without one.
    total: toNumber(row.total) ?? round2(items.reduce((sum, i) => sum + (i.lineTotal ?? 0), 0)),
    // Rows written before orders had a status were placed orders.
    status: toStr(row.status) ?? 'placed',
    cancelledAt: toIso(row.cancelled_at),
    createdAt: toIso(row.created_at),
    updatedAt: toIso(row.updated_at),
    shipment: toShipment(row.shipment_events ?? []),
  };
}

function toCustomer(row: OrderRow): Customer | null {
  const c = asRecord(parseJson(row.customer)) ?? {};
  const id = toStr(pick(c, 'id')) ?? row.customer_id;
  if (id == null) return null;
  return {
    id,
    name: toStr(pick(c, 'name')) ?? row.customer_name,
    lastName: toStr(pick(c, 'lastName', 'last_name')),
    email: toStr(pick(c, 'email')) ?? row.customer_email,
  };
}

function toOrderItem(item: Record<string, unknown>): OrderItem {
  const unitPrice = toNumber(pick(item, 'unitPrice', 'unit_price', 'price'));
  const quantity = Math.trunc(toNumber(pick(item, 'quantity')) ?? 0);
  const lineTotal = toNumber(pick(item, 'lineTotal', 'line_total')) ?? (unitPrice == null ? null : round2(unitPrice * quantity));
  const address = asRecord(parseJson(pick(item, 'deliveryAddress', 'delivery_address', 'address')));
  return {
    sku: toStr(pick(item, 'sku')) ?? '',
    description: toStr(pick(item, 'description')),
    unitPrice,
    quantity,
    lineTotal,
    deliveryAddress: address ? toAddress(address) : null,
  };
}

function toAddress(a: Record<string, unknown>): DeliveryAddress {
  return {
    id: toStr(pick(a, 'id')),
    streetType: toStr(pick(a, 'streetType', 'street_type')),
    streetName: toStr(pick(a, 'streetName', 'street_name')),
    streetNumber: toStr(pick(a, 'streetNumber', 'street_number')),
    buildingNumber: toStr(pick(a, 'buildingNumber', 'building_number')),
    departmentNumber: toStr(pick(a, 'departmentNumber', 'department_number')),
    reference: toStr(pick(a, 'reference')),
    latitude: toNumber(pick(a, 'latitude')),
    longitude: toNumber(pick(a, 'longitude')),
  };
}

function pick(obj: Record<string, unknown>, ...keys: string[]): unknown {
  for (const key of keys) if (obj[key] != null) return obj[key];
  return undefined;
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function toStr(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return null;
}

function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function toIso(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'string' || typeof value === 'number') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  return null;
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
