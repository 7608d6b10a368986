import type { EnrichedOrder } from './join.js';

/**
 * The `orders-graph` record format: Kafka Connect JsonConverter with schemas, because the
 * Debezium JDBC sink needs a schema to create and upsert into table `orders`. JSON columns use
 * Debezium's `io.debezium.data.Json` (→ jsonb) and times `io.debezium.time.ZonedTimestamp`
 * (→ timestamptz); both are strings on the wire. The sink creates nothing (`schema.evolution:
 * none`): a field added here needs its column in the read model first (orders-graph's migrations).
 */

export interface ConnectField {
  field: string;
  type: 'string' | 'double' | 'int64' | 'boolean';
  optional: boolean;
  name?: string;
  version?: number;
}

export interface ConnectStruct {
  type: 'struct';
  name: string;
  optional: false;
  fields: ConnectField[];
}

/** The key/value pair as JSON text, ready to produce. */
export interface ConnectRecord {
  key: string;
  value: string;
}

const JSON_TYPE = { name: 'io.debezium.data.Json', version: 1 } as const;
const ZONED_TIMESTAMP = { name: 'io.debezium.time.ZonedTimestamp', version: 1 } as const;

export const ORDER_KEY_SCHEMA: Readonly<ConnectStruct> = Object.freeze<ConnectStruct>({
  type: 'struct',
  name: 'oms.OrderKey',
  optional: false,
  fields: [{ field: 'id', type: 'string', optional: false }],
});

export const ORDER_VALUE_SCHEMA: Readonly<ConnectStruct> = Object.freeze<ConnectStruct>({
  type: 'struct',
  name: 'oms.OrderGraph',
  optional: false,
  fields: [
    { field: 'id', type: 'string', optional: false },
    { field: 'customer_id', type: 'string', optional: false },
    { field: 'customer_name', type: 'string', optional: false },
    { field: 'customer_email', type: 'string', optional: false },
    { field: 'customer', type: 'string', optional: false, ...JSON_TYPE },
    { field: 'items', type: 'string', optional: false, ...JSON_TYPE },
    { field: 'total', type: 'double', optional: false },
    { field: 'status', type: 'string', optional: false },
    { field: 'cancelled_at', type: 'string', optional: true, ...ZONED_TIMESTAMP },
    { field: 'created_at', type: 'string', optional: false, ...ZONED_TIMESTAMP },
    { field: 'updated_at', type: 'string', optional: false, ...ZONED_TIMESTAMP },
  ],
});

/** The payload of the value: one row of table `orders`. */
export interface OrderRow {
  id: string;
  customer_id: string;
  customer_name: string;
  customer_email: string;
  customer: string;
  items: string;
  total: number;
  status: string;
  cancelled_at: string | null;
  created_at: string;
  updated_at: string;
}

/** Cents → a decimal amount with at most two decimals (exact: integer division by 100). */
export const fromCents = (cents: number): number => Number((cents / 100).toFixed(2));

/** The row for table `orders` (camelCase inside the JSON columns, like the REST APIs). */
export function toOrderRow(order: EnrichedOrder): OrderRow {
  const c = order.customer;
  return {
    id: order.id,
    customer_id: c.id,
    customer_name: `${c.name} ${c.lastName}`.trim(),
    customer_email: c.email,
    customer: JSON.stringify({
      id: c.id,
      name: c.name,
      lastName: c.lastName,
      email: c.email,
      identityDocument: c.identityDocument,
      active: c.active,
    }),
    items: JSON.stringify(
      order.items.map((i) => ({
        sku: i.sku,
        description: i.description,
        unitPrice: fromCents(i.unitPriceCents),
        quantity: i.quantity,
        lineTotal: fromCents(i.lineTotalCents),
        deliveryAddress: {
          id: i.deliveryAddress.id,
          streetType: i.deliveryAddress.streetType,
          streetName: i.deliveryAddress.streetName,
          streetNumber: i.deliveryAddress.streetNumber,
          buildingNumber: i.deliveryAddress.buildingNumber,
          departmentNumber: i.deliveryAddress.departmentNumber,
          reference: i.deliveryAddress.reference,
          latitude: i.deliveryAddress.latitude,
          longitude: i.deliveryAddress.longitude,
        },
      })),
    ),
    total: fromCents(order.totalCents),
    status: order.status,
    cancelled_at: order.cancelledAt,
    created_at: order.createdAt,
    updated_at: order.updatedAt,
  };
}

/** Key and value of the `orders-graph` record for an order, with their Connect schemas. */
export function toConnectRecord(order: EnrichedOrder): ConnectRecord {
  return {
    key: JSON.stringify({ schema: ORDER_KEY_SCHEMA, payload: { id: order.id } }),
    value: JSON.stringify({ schema: ORDER_VALUE_SCHEMA, payload: toOrderRow(order) }),
  };
}
