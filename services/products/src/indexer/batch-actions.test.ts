import { describe, expect, it } from 'vitest';
import type { Product } from '../domain/product.js';
import { isTransientStatus, reduceBatch, splitFailures, type ProductRecord } from './batch-actions.js';

const product = (sku: string, description = `Product ${sku}`): Product => ({
  sku,
  description,
  price: 9.5,
  productType: 'TEST',
  length: 1,
  width: 2,
  height: 3,
  weight: 4,
  unitMeasurement: 'CM',
  hierarchies: [{ hierarchyName: 'h', hierarchyDescription: 'Things' }],
});

let nextOffset = 0;
const rec = (key: string | null, value: unknown): ProductRecord => ({
  offset: String(nextOffset++),
  key: key === null ? null : Buffer.from(key, 'utf8'),
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8'),
});

describe('reduceBatch', () => {
  it('when every record has a distinct SKU, then each becomes one upsert in offset order', () => {
    const actions = reduceBatch([rec('A', product('A')), rec('B', product('B'))]);
    expect(actions).toEqual({ upserts: [product('A'), product('B')], deletes: [], rejected: [] });
  });

  it('when a SKU appears several times, then only its last version is upserted', () => {
    const actions = reduceBatch([rec('A', product('A', 'v1')), rec('B', product('B')), rec('A', product('A', 'v2'))]);
    expect(actions.upserts).toEqual([product('B'), product('A', 'v2')]);
    expect(actions.deletes).toEqual([]);
  });

  it('when the last record of a SKU is a tombstone, then the SKU is deleted and not upserted', () => {
    const actions = reduceBatch([rec('A', product('A')), rec('A', null)]);
    expect(actions).toEqual({ upserts: [], deletes: ['A'], rejected: [] });
  });

  it('when a tombstone is followed by a new version, then the new version is upserted and nothing deleted', () => {
    const actions = reduceBatch([rec('A', null), rec('A', product('A', 'back'))]);
    expect(actions).toEqual({ upserts: [product('A', 'back')], deletes: [], rejected: [] });
  });

  it('when the key is missing, then value.sku is the SKU', () => {
    const actions = reduceBatch([rec(null, product('A', 'v1')), rec('A', product('A', 'v2')), rec(null, product('A', 'v3'))]);
    expect(actions.upserts).toEqual([product('A', 'v3')]);
  });

  it('when the key is an empty buffer, then it counts as missing', () => {
    const actions = reduceBatch([{ offset: '0', key: Buffer.alloc(0), value: Buffer.from(JSON.stringify(product('A'))) }]);
    expect(actions.upserts).toEqual([product('A')]);
  });

  it('when the value is not JSON, then the record is rejected with the reason and others still apply', () => {
    const bad = rec('A', '{not json');
    const actions = reduceBatch([bad, rec('B', product('B'))]);
    expect(actions.upserts).toEqual([product('B')]);
    expect(actions.rejected).toEqual([{ offset: bad.offset, key: 'A', reason: expect.stringMatching(/^value is not valid JSON: /) }]);
  });

  it('when the value breaks the schema, then the reason names every bad field', () => {
    const actions = reduceBatch([rec('A', { ...product('A'), price: -1, weight: 'heavy' })]);
    expect(actions.upserts).toEqual([]);
    expect(actions.rejected).toHaveLength(1);
    expect(actions.rejected[0]?.reason).toMatch(/^value is not a valid product: .*price: .*weight: /);
  });

  it('when a valid version is followed by an invalid one, then the valid one still wins', () => {
    const actions = reduceBatch([rec('A', product('A', 'good')), rec('A', { sku: 'A' })]);
    expect(actions.upserts).toEqual([product('A', 'good')]);
    expect(actions.rejected).toHaveLength(1);
  });

  it('when the key and value.sku disagree, then the record is rejected', () => {
    const actions = reduceBatch([rec('A', product('B'))]);
    expect(actions.upserts).toEqual([]);
    expect(actions.rejected[0]?.reason).toBe('key "A" does not match value.sku "B"');
  });

  it('when a tombstone has no key, then it is rejected', () => {
    const actions = reduceBatch([rec(null, null)]);
    expect(actions.deletes).toEqual([]);
    expect(actions.rejected[0]?.reason).toMatch(/tombstone without a key/);
  });

  it('when a tombstone key is longer than a SKU may be, then it is rejected', () => {
    const actions = reduceBatch([rec('x'.repeat(200), null)]);
    expect(actions.deletes).toEqual([]);
    expect(actions.rejected[0]?.reason).toMatch(/^tombstone key is not a valid SKU/);
  });

  it('when the value carries unknown fields, then they are dropped rather than breaking the strict mapping', () => {
    const actions = reduceBatch([rec('A', { ...product('A'), colour: 'red' })]);
    expect(actions.upserts).toEqual([product('A')]);
  });

  it('when hierarchies are absent, then they default to an empty list', () => {
    const { hierarchies: _omitted, ...rest } = product('A');
    expect(reduceBatch([rec('A', rest)]).upserts).toEqual([{ ...rest, hierarchies: [] }]);
  });

  it('when the batch is empty, then there is nothing to do', () => {
    expect(reduceBatch([])).toEqual({ upserts: [], deletes: [], rejected: [] });
  });

  it('when a batch is split anywhere and the parts applied in order, then the final state is the same', () => {
    const records = [
      rec('A', product('A', 'v1')),
      rec('B', product('B', 'v1')),
      rec('A', '{oops'),
      rec('B', null),
      rec('C', product('C', 'v1')),
      rec('A', product('A', 'v2')),
      rec('C', { sku: 'C' }),
      rec('B', product('B', 'v2')),
      rec('C', null),
    ];
    const apply = (state: Map<string, Product>, parts: ProductRecord[][]) => {
      for (const part of parts) {
        const { upserts, deletes } = reduceBatch(part);
        for (const p of upserts) state.set(p.sku, p);
        for (const sku of deletes) state.delete(sku);
      }
      return Object.fromEntries([...state].sort(([a], [b]) => a.localeCompare(b)));
    };
    const whole = apply(new Map(), [records]);
    for (let cut = 0; cut <= records.length; cut++) {
      expect(apply(new Map(), [records.slice(0, cut), records.slice(cut)])).toEqual(whole);
    }
    expect(apply(new Map(), records.map((r) => [r]))).toEqual(whole);
    expect(Object.keys(whole)).toEqual(['A', 'B']);
  });
});

describe('splitFailures', () => {
  it('when Elasticsearch answers 429 or 5xx for a document, then it is retried; other statuses are skipped', () => {
    const failures = [
      { sku: 'A', status: 429, reason: 'es_rejected_execution_exception' },
      { sku: 'B', status: 400, reason: 'mapper_parsing_exception' },
      { sku: 'C', status: 503, reason: 'unavailable_shards_exception' },
    ];
    const { retry, skip } = splitFailures(failures);
    expect(retry.map((f) => f.sku)).toEqual(['A', 'C']);
    expect(skip.map((f) => f.sku)).toEqual(['B']);
  });

  it('when statuses are classified, then only 429 and 5xx are transient', () => {
    expect([400, 404, 409, 413, 429, 500, 503].map(isTransientStatus)).toEqual([false, false, false, false, true, true, true]);
  });
});
