import type { estypes } from '@elastic/elasticsearch';
import type { ProductSearch } from '../domain/product.js';

/** Fields the free-text search looks at, with the description weighted highest. */
export const SEARCH_FIELDS = ['description^3', 'hierarchies.hierarchyDescription^2', 'sku^5', 'productType^2'];

/**
 * Builds the search request body. Without text every product matches, ordered by SKU; with
 * text, by relevance, SKU breaking ties so paging is stable.
 */
export function buildSearchRequest(index: string, { text, limit, offset }: ProductSearch): estypes.SearchRequest {
  const query: estypes.QueryDslQueryContainer = text
    ? {
        multi_match: {
          query: text,
          fields: SEARCH_FIELDS,
          // cross_fields + and: every word must appear somewhere in the text fields (so "steel
          // kitchen" matches a steel pan in the Kitchen hierarchy), while the keyword fields
          // (sku, productType) match the whole input exactly, case-insensitively.
          type: 'cross_fields',
          operator: 'and',
        },
      }
    : { match_all: {} };
  return {
    index,
    query,
    from: offset,
    size: limit,
    track_total_hits: true,
    sort: text ? [{ _score: { order: 'desc' } }, { sku: { order: 'asc' } }] : [{ sku: { order: 'asc' } }],
  };
}
