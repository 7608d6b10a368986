import { ConflictError, pageOf, pagination, uuidParam } from '@oms/service-kit';
import { z } from 'zod';

/**
 * The customers API contract (docs/architecture.md, "APIs"): these zod schemas are the single source of
 * request validation, response shape and the TypeScript types used across the service.
 */

/** Street types the `address.street_type` ENUM accepts. */
export const STREET_TYPES = ['STREET', 'LANE', 'BOULEVARD', 'AVENUE', 'COURT'] as const;

/**
 * Maximum lengths. They mirror the column widths in data/database.ts: MariaDB's strict mode
 * would reject a longer value with an SQL error, which must surface as a 400, not a 500.
 */
export const FIELD_LIMITS = {
  name: 100,
  lastName: 100,
  email: 254,
  identityDocument: 50,
  streetName: 200,
  houseNumber: 20,
  reference: 500,
} as const;

/** At most this many addresses may be created together with a customer. */
export const MAX_ADDRESSES_PER_REQUEST = 50;

const requiredText = (max: number) => z.string().trim().min(1).max(max);

// Optional free text: an empty string means "none", so clients may send "" instead of null.
const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .nullish()
    .transform((value) => (value ? value : null));

// House numbers such as "12B" exist, but many clients send plain integers; both are stored as text.
const houseNumber = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform(String)
  .pipe(requiredText(FIELD_LIMITS.houseNumber));

const optionalHouseNumber = z
  .union([z.string(), z.number().int().nonnegative()])
  .nullish()
  .transform((value) => (value === null || value === undefined ? null : String(value).trim() || null))
  .pipe(z.string().max(FIELD_LIMITS.houseNumber).nullable());

const coordinate = (bound: number) =>
  z
    .number()
    .min(-bound)
    .max(bound)
    .nullish()
    .transform((value) => value ?? null);

/** Body of POST /customers/:id/addresses and PUT /customers/:id/addresses/:addressId (full replace). */
export const addressInputSchema = z.object({
  streetType: z.enum(STREET_TYPES),
  streetName: requiredText(FIELD_LIMITS.streetName),
  streetNumber: houseNumber,
  buildingNumber: optionalHouseNumber,
  departmentNumber: optionalHouseNumber,
  reference: optionalText(FIELD_LIMITS.reference),
  latitude: coordinate(90),
  longitude: coordinate(180),
});
export type AddressInput = z.infer<typeof addressInputSchema>;

/**
 * Body of PUT /customers/:id: a full replace of the customer's own fields. Unknown keys
 * (including `addresses`, `id`, timestamps) are dropped, so a client may PUT back what it GOT.
 */
export const customerFieldsSchema = z.object({
  name: requiredText(FIELD_LIMITS.name),
  lastName: requiredText(FIELD_LIMITS.lastName),
  email: z.email().max(FIELD_LIMITS.email),
  identityDocument: requiredText(FIELD_LIMITS.identityDocument),
  active: z.boolean().default(true),
});
export type CustomerFields = z.infer<typeof customerFieldsSchema>;

/** Body of POST /customers: the customer plus the addresses created in the same transaction. */
export const createCustomerSchema = customerFieldsSchema.extend({
  addresses: z.array(addressInputSchema).max(MAX_ADDRESSES_PER_REQUEST).default([]),
});
export type CreateCustomerInput = z.infer<typeof createCustomerSchema>;

/** Query of GET /customers: `email` matches exactly, `name` partially on name or last name. */
export const listCustomersQuerySchema = pagination(100, 20).extend({
  email: z.string().trim().min(1).max(FIELD_LIMITS.email).optional(),
  name: z.string().trim().min(1).max(FIELD_LIMITS.name).optional(),
});
export type ListCustomersQuery = z.infer<typeof listCustomersQuerySchema>;

/** Path parameters; a malformed UUID is a 400 rather than a pointless lookup. */
export const customerPathSchema = z.object({ id: uuidParam });
export const addressPathSchema = z.object({ id: uuidParam, addressId: uuidParam });

/** The address resource as the API returns it. */
export const addressSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  streetType: z.enum(STREET_TYPES),
  streetName: z.string(),
  streetNumber: z.string(),
  buildingNumber: z.string().nullable(),
  departmentNumber: z.string().nullable(),
  reference: z.string().nullable(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
});
export type Address = z.infer<typeof addressSchema>;

/** The customer resource as the API returns it (always with its addresses). */
export const customerSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  lastName: z.string(),
  email: z.string(),
  identityDocument: z.string(),
  active: z.boolean(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  addresses: z.array(addressSchema),
});
export type Customer = z.infer<typeof customerSchema>;

/** Response of GET /customers. */
export const customerPageSchema = pageOf(customerSchema);
export type CustomerPage = z.infer<typeof customerPageSchema>;

/** Response of GET /customers/:id/addresses. */
export const addressListSchema = z.object({ items: z.array(addressSchema) });

/** Another customer already uses this email (the column is UNIQUE, case-insensitively). */
export class DuplicateEmailError extends ConflictError {
  constructor(email: string) {
    super(`a customer with email ${email} already exists`, { email });
    this.name = 'DuplicateEmailError';
  }
}
