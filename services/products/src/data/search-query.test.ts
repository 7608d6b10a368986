import { describe, expect, it } from 'vitest';
import { buildSearchRequest, SEARCH_FIELDS } from './search-query.js';

describe('buildSearchRequest', () => {
  it('when there is no text, then it matches everything sorted by sku', () => {
    const req = buildSearchRequest('products', { text: undefined, limit: 20, offset: 40 });
    expect(req).toEqual({
      index: 'products',
      query: { match_all: {} },
      from: 40,
      size: 20,
      track_total_hits: true,
      sort: [{ sku: { order: 'asc' } }],
    });
  });

  it('when there is text, then it searches every search field, all words required', () => {
    const req = buildSearchRequest('products', { text: 'steel pan', limit: 5, offset: 0 });
    expect(req.query).toEqual({
      multi_match: { query: 'steel pan', fields: SEARCH_FIELDS, type: 'cross_fields', operator: 'and' },
    });
    expect(req.sort).toEqual([{ _score: { order: 'desc' } }, { sku: { order: 'asc' } }]);
    expect(req).toMatchObject({ from: 0, size: 5, track_total_hits: true });
  });

  it('when building any query, then description, hierarchy descriptions, sku and type are searched', () => {
    const names = SEARCH_FIELDS.map((f) => f.split('^')[0]);
    expect(names).toEqual(['description', 'hierarchies.hierarchyDescription', 'sku', 'productType']);
  });
});
