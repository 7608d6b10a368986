import { pageOf, pagination, uuidParam } from '@oms/service-kit';
import { z } from 'zod';

/**
 * The orders API contract (docs/architecture.md, "APIs"): these zod schemas are the single source of
 * request validation, response shape and the TypeScript types used across the service.
 */

/** Width of `order_detail.sku`; a longer SKU is a 400, never an SQL error. */
export const SKU_MAX_LENGTH = 100;
/** Lines per order. */
export const MAX_ITEMS = 100;
// `quantity` is an INT column; anything above its maximum would fail in SQL instead of validation.
const INT_MAX = 2_147_483_647;

// The other services hand out lower-case UUIDs; normalising lets "ABC…" match "abc…".
const id = z.uuid().transform((value) => value.toLowerCase());

/** One line of POST /orders. */
export const orderItemSchema = z.object({
  sku: z.string().trim().min(1).max(SKU_MAX_LENGTH),
  quantity: z.number().int().min(1).max(INT_MAX),
  addressId: id,
});
export type OrderItem = z.infer<typeof orderItemSchema>;

/** Body of POST /orders. */
export const placeOrderSchema = z.object({
  customerId: id,
  items: z.array(orderItemSchema).min(1).max(MAX_ITEMS),
});
export type PlaceOrderInput = z.infer<typeof placeOrderSchema>;

/** Query of GET /orders: `customerId` is required, newest orders first. */
export const listOrdersQuerySchema = pagination(100, 20).extend({ customerId: id });
export type ListOrdersQuery = z.infer<typeof listOrdersQuerySchema>;

/** Path of GET /orders/:id; a malformed UUID is a 400. */
export const orderPathSchema = z.object({ id: uuidParam });

/**
 * placed: stored, its units taken from stock once the inventory sees the row. cancelled: by
 * `POST /orders/:id/cancel`; the inventory sees that too and puts the units back. Final.
 */
export const ORDER_STATUSES = ['placed', 'cancelled'] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** The order resource as the API returns it. */
export const orderSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  items: z.array(z.object({ sku: z.string(), quantity: z.number().int(), addressId: z.uuid() })),
  status: z.enum(ORDER_STATUSES),
  /** When it was cancelled; null while it is placed. */
  cancelledAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Order = z.infer<typeof orderSchema>;

/** Response of GET /orders. */
export const orderPageSchema = pageOf(orderSchema);
export type OrderPage = z.infer<typeof orderPageSchema>;
