import { HttpError, UnprocessableError } from '@oms/service-kit';
import { z } from 'zod';

/**
 * The inventory API contract: these zod schemas are the single source of request validation,
 * response shape, the TypeScript types used across the service and its OpenAPI document
 * (routes/openapi.ts).
 */

/** As wide as the products catalogue's SKU, so every catalogued SKU can hold stock. */
export const SKU_MAX_LENGTH = 128;
/** Lines per reservation: an order has at most 100 lines. */
export const MAX_LINES = 100;
/** SKUs per `GET /inventory?skus=`. */
export const MAX_SKUS_PER_QUERY = 100;
/**
 * Largest count of one SKU. Redis counts in 64-bit integers but Lua (and JSON) in doubles:
 * keeping every count and every sum of counts far below 2^53 keeps them exact everywhere.
 */
export const MAX_COUNT = 2_147_483_647;

export const skuSchema = z.string().trim().min(1).max(SKU_MAX_LENGTH);

// The orders service hands out lower-case UUIDs; normalising lets "ABC…" match "abc…".
const orderIdSchema = z.uuid().transform((value) => value.toLowerCase());

/** Path of `/inventory/:sku`. */
export const skuPathSchema = z.object({ sku: skuSchema });

/** Path of `/reservations/:orderId`. */
export const orderIdPathSchema = z.object({ orderId: orderIdSchema });

/** Body of `PUT /inventory/:sku`: the count now on hand (a restock sets it, it does not add). */
export const restockSchema = z.object({ onHand: z.number().int().min(0).max(MAX_COUNT) });
export type RestockInput = z.infer<typeof restockSchema>;

/**
 * Headers of `PUT /inventory/:sku`: `If-None-Match: *` sets the count only on a SKU without
 * stock (RFC 9110's "only if no current representation exists"). Stock has no entity tags, so
 * `*` is the one value understood; anything else is a 400 rather than a silently ignored condition.
 */
export const restockHeadersSchema = z.object({
  'if-none-match': z.literal('*', { error: 'only `*` is supported (set the count only if the SKU has no stock yet)' }).optional(),
});

/** Query of `GET /inventory?skus=a,b`: a comma-separated list, duplicates dropped. */
export const stockQuerySchema = z.object({
  skus: z
    .string()
    .transform((value) => [...new Set(value.split(',').map((sku) => sku.trim()))].filter((sku) => sku !== ''))
    .pipe(z.array(skuSchema).min(1, 'name at least one SKU').max(MAX_SKUS_PER_QUERY)),
});

/** One line of a reservation request. */
export const reservationLineSchema = z.object({
  sku: skuSchema,
  quantity: z.number().int().min(1).max(MAX_COUNT),
});
export type ReservationLine = z.infer<typeof reservationLineSchema>;

/** Body of `POST /reservations`. */
export const reserveSchema = z.object({
  orderId: orderIdSchema,
  lines: z.array(reservationLineSchema).min(1).max(MAX_LINES),
});
export type ReserveInput = z.infer<typeof reserveSchema>;

/** A SKU's stock as the API returns it. `available = onHand − reserved`, never negative. */
export const stockSchema = z.object({
  sku: z.string(),
  onHand: z.number().int().min(0),
  reserved: z.number().int().min(0),
  available: z.number().int().min(0),
});
export type Stock = z.infer<typeof stockSchema>;

/** Response of `GET /inventory?skus=`, in the order asked. */
export const stockListSchema = z.object({ items: z.array(stockSchema) });

/**
 * pending: stock held in `reserved` until the order's row shows up on the `order` topic.
 * confirmed: the units left `onHand`. released: cancelled, the units went back. expired: the
 * order never appeared within the TTL, the units went back.
 */
export const RESERVATION_STATES = ['pending', 'confirmed', 'released', 'expired'] as const;
export type ReservationState = (typeof RESERVATION_STATES)[number];

/** A reservation as the API returns it; lines are per SKU, sorted by SKU. */
export const reservationSchema = z.object({
  orderId: z.string(),
  state: z.enum(RESERVATION_STATES),
  lines: z.array(reservationLineSchema),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** When a pending reservation expires; kept after it left `pending` for the record. */
  expiresAt: z.iso.datetime(),
});
export type Reservation = z.infer<typeof reservationSchema>;

/** Why a SKU's stock changed: the operation that changed it. */
export const CHANGE_CAUSES = ['restock', 'reserve', 'confirm', 'release', 'expire'] as const;

/**
 * One change of a SKU's stock, the value of the compacted `inventory` topic keyed by SKU. A full
 * snapshot, not a delta, so the latest record per key is the whole truth; `version` counts the
 * SKU's changes, so a reader can drop a record older than one it already has.
 */
export const changeRecordSchema = z.object({
  sku: z.string(),
  onHand: z.number().int(),
  reserved: z.number().int(),
  available: z.number().int(),
  version: z.number().int().min(1),
  at: z.iso.datetime(),
  cause: z.enum(CHANGE_CAUSES),
  orderId: z.string().optional(),
});
export type ChangeRecord = z.infer<typeof changeRecordSchema>;

/** A line a reservation could not get: how many were wanted and how many were available. */
export interface Shortage {
  sku: string;
  wanted: number;
  available: number;
}

/**
 * Sums the lines per SKU (an order may ship one SKU to two addresses) and sorts them by SKU:
 * the canonical form in which a reservation is stored and a retry is compared.
 */
export function canonicalLines(lines: readonly ReservationLine[]): ReservationLine[] {
  const totals = new Map<string, number>();
  for (const { sku, quantity } of lines) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  return [...totals.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([sku, quantity]) => ({ sku, quantity }));
}

/** A stock record from its two counts. */
export function stockOf(sku: string, onHand: number, reserved: number): Stock {
  return { sku, onHand, reserved, available: onHand - reserved };
}

/** `out of stock: SKU-00004 (wanted 5, available 2); …`: a 422 naming every short SKU. */
export class OutOfStockError extends UnprocessableError {
  constructor(readonly shortages: readonly Shortage[]) {
    super(`out of stock: ${shortages.map((s) => `${s.sku} (wanted ${s.wanted}, available ${s.available})`).join('; ')}`, { outOfStock: shortages });
    this.name = 'OutOfStockError';
  }
}

/** The SKUs are not in the products catalogue. */
export class UnknownSkuError extends HttpError {
  constructor(readonly skus: readonly string[]) {
    super(404, 'not_found', skus.length === 1 ? `SKU ${skus[0]!} not found` : `SKUs not found: ${skus.join(', ')}`, { skus });
    this.name = 'UnknownSkuError';
  }
}

/** A restock below what pending reservations hold would make `available` negative. */
export class BelowReservedError extends HttpError {
  constructor(sku: string, onHand: number, reserved: number) {
    super(409, 'conflict', `cannot set ${sku} on hand to ${onHand}: ${reserved} unit(s) are reserved by pending orders`, { sku, onHand, reserved });
    this.name = 'BelowReservedError';
  }
}

/** A conditional restock (`If-None-Match: *`) of a SKU that has stock already: nothing changed. */
export class StockExistsError extends HttpError {
  constructor(readonly stock: Stock) {
    super(412, 'precondition_failed', `${stock.sku} has stock already (${stock.onHand} on hand, ${stock.reserved} reserved); it was left as it is`, { stock });
    this.name = 'StockExistsError';
  }
}

/** The order id already holds a reservation for other lines: ids are never reused. */
export class ReservationConflictError extends HttpError {
  constructor(orderId: string, existing: Reservation) {
    super(409, 'conflict', `order ${orderId} already holds a reservation for other lines`, { reservation: existing });
    this.name = 'ReservationConflictError';
  }
}

/** A retry of a reservation that was released or expired since: the caller needs a new order. */
export class ReservationClosedError extends HttpError {
  constructor(orderId: string, existing: Reservation) {
    super(409, 'conflict', `the reservation for order ${orderId} was ${existing.state}; place the order again`, { reservation: existing });
    this.name = 'ReservationClosedError';
  }
}
