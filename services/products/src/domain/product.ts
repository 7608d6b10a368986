import { pageOf } from '@oms/service-kit';
import { z } from 'zod';

/**
 * A product as the API returns it and as the indexer writes it. The SKU is the identity:
 * it is the Elasticsearch document `_id`, which is what makes re-indexing idempotent.
 */
export const productSchema = z.object({
  sku: z.string().min(1).max(128),
  description: z.string(),
  price: z.number().nonnegative(),
  productType: z.string(),
  length: z.number(),
  width: z.number(),
  height: z.number(),
  weight: z.number(),
  unitMeasurement: z.string(),
  hierarchies: z
    .array(z.object({ hierarchyName: z.string(), hierarchyDescription: z.string() }))
    .default([]),
});

/** A validated product. */
export type Product = z.infer<typeof productSchema>;

/** Elasticsearch's default `index.max_result_window`; deeper pages need search_after. */
export const MAX_RESULT_WINDOW = 10_000;

/**
 * Query string of `GET /products`. An empty or blank `text` means "list everything".
 * The window check turns what Elasticsearch would reject (a 500 for us) into a 400.
 */
export const productSearchSchema = z
  .object({
    text: z
      .string()
      .max(500)
      .optional()
      .transform((t) => (t?.trim() ? t.trim() : undefined)),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    offset: z.coerce.number().int().min(0).default(0),
  })
  .refine((q) => q.offset + q.limit <= MAX_RESULT_WINDOW, {
    error: `offset + limit must not exceed ${MAX_RESULT_WINDOW}`,
    path: ['offset'],
  });

/** A validated search request. */
export type ProductSearch = z.infer<typeof productSearchSchema>;

/** `:sku` path parameter; bounded so junk never reaches Elasticsearch. */
export const skuParamSchema = z.object({ sku: z.string().min(1).max(128) });

/** One page of search results. */
export const productPageSchema = pageOf(productSchema);
export type ProductPage = z.infer<typeof productPageSchema>;
