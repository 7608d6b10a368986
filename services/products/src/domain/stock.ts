import { pageOf } from '@oms/service-kit';
import { z } from 'zod';
import { productSchema, type Product } from './product.js';

/**
 * A SKU's stock as the inventory publishes it on the compacted `inventory` topic (keyed by SKU):
 * its whole state after a change, with `version` counting the SKU's changes. Only the fields the
 * products service keeps are read; others (cause, orderId) pass.
 */
export const stockRecordSchema = z.object({
  sku: productSchema.shape.sku,
  onHand: z.number().int().min(0),
  reserved: z.number().int().min(0),
  available: z.number().int().min(0),
  version: z.number().int().min(1),
  at: z.iso.datetime(),
});
export type StockRecord = z.infer<typeof stockRecordSchema>;

/**
 * A product as the API returns it: the catalogue entry with `available` beside it, the units
 * the inventory last published as available to order; `null` while no stock was published for
 * the SKU. It follows the inventory within moments (it comes through Kafka), so it guides a
 * shopper; an order is checked against the inventory itself.
 */
export const productViewSchema = productSchema.extend({ available: z.number().int().min(0).nullable() });
export type ProductView = z.infer<typeof productViewSchema>;

/** A page of {@link productViewSchema}: what `GET /products` answers. */
export const productViewPageSchema = pageOf(productViewSchema);

/** Puts `available` beside each product (`null` for a SKU without a stock record). */
export function withAvailability(products: readonly Product[], available: ReadonlyMap<string, number>): ProductView[] {
  return products.map((p) => ({ ...p, available: available.get(p.sku) ?? null }));
}
