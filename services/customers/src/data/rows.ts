import type { Address, AddressInput, Customer, CustomerFields } from '../domain/customer.js';

/** A `customer` row as mysql2 returns it. */
export interface CustomerRow {
  id: string;
  name: string;
  last_name: string;
  email: string;
  identity_document: string;
  // BOOLEAN is TINYINT(1): mysql2 hands back 0/1.
  active: number | boolean;
  created_at: Date;
  updated_at: Date;
}

/** An `address` row as mysql2 returns it. */
export interface AddressRow {
  id: string;
  customer_id: string;
  street_type: Address['streetType'];
  street_name: string;
  street_number: string;
  building_number: string | null;
  department_number: string | null;
  reference: string | null;
  // DECIMAL arrives as a string so no precision is lost in transit.
  latitude: string | number | null;
  longitude: string | number | null;
}

/** Column order used by {@link addressValues}; kept next to it so the two cannot drift. */
export const ADDRESS_COLUMNS = [
  'id',
  'customer_id',
  'street_type',
  'street_name',
  'street_number',
  'building_number',
  'department_number',
  'reference',
  'latitude',
  'longitude',
] as const;

/** Column order used by {@link customerValues}. */
export const CUSTOMER_COLUMNS = ['id', 'name', 'last_name', 'email', 'identity_document', 'active', 'created_at', 'updated_at'] as const;

const toNumberOrNull = (value: string | number | null): number | null => (value === null ? null : Number(value));

/** Maps an address row to the API resource. */
export function toAddress(row: AddressRow): Address {
  return {
    id: row.id,
    customerId: row.customer_id,
    streetType: row.street_type,
    streetName: row.street_name,
    streetNumber: row.street_number,
    buildingNumber: row.building_number,
    departmentNumber: row.department_number,
    reference: row.reference,
    latitude: toNumberOrNull(row.latitude),
    longitude: toNumberOrNull(row.longitude),
  };
}

/** Maps a customer row and its address rows to the API resource. */
export function toCustomer(row: CustomerRow, addresses: readonly AddressRow[]): Customer {
  return {
    id: row.id,
    name: row.name,
    lastName: row.last_name,
    email: row.email,
    identityDocument: row.identity_document,
    active: Boolean(row.active),
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
    addresses: addresses.map(toAddress),
  };
}

/** Parameter values for an address INSERT, in {@link ADDRESS_COLUMNS} order. */
export function addressValues(id: string, customerId: string, input: AddressInput): unknown[] {
  return [
    id,
    customerId,
    input.streetType,
    input.streetName,
    input.streetNumber,
    input.buildingNumber,
    input.departmentNumber,
    input.reference,
    input.latitude,
    input.longitude,
  ];
}

/** Parameter values for a customer INSERT, in {@link CUSTOMER_COLUMNS} order. */
export function customerValues(id: string, fields: CustomerFields, createdAt: Date, updatedAt: Date): unknown[] {
  return [id, fields.name, fields.lastName, fields.email, fields.identityDocument, fields.active, createdAt, updatedAt];
}

/**
 * Escapes LIKE wildcards so a name filter such as "50%" matches literally. Pairs with
 * `ESCAPE '!'`, which (unlike backslash) means the same under every sql_mode.
 */
export function escapeLike(text: string): string {
  return text.replace(/[!%_]/g, '!$&');
}
