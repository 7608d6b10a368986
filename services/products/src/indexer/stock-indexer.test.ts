import { describe, expect, it } from 'vitest';
import { newestStock } from './stock-indexer.js';

const record = (sku: string, version: number, available = version) => ({ sku, onHand: available + 1, reserved: 1, available, version, at: '2026-02-01T10:00:00.000Z', cause: 'reserve' });
let offset = 0;
const message = (key: string | null, value: unknown) => ({
  offset: String(offset++),
  key: key === null ? null : Buffer.from(key),
  value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
});

describe('newestStock', () => {
  it('when a SKU has several records in a batch, then the one with the highest version wins, whatever its position', () => {
    const { records, rejected } = newestStock([message('A', record('A', 3)), message('B', record('B', 1)), message('A', record('A', 5)), message('A', record('A', 4))]);
    expect(records.map((r) => [r.sku, r.version])).toEqual([
      ['A', 5],
      ['B', 1],
    ]);
    expect(rejected).toEqual([]);
  });

  it('when records are not stock records, then each is rejected with its reason and the rest still count', () => {
    const { records, rejected } = newestStock([
      message('A', '{nope'),
      message('B', { ...record('B', 2), available: -1 }),
      message('C', record('D', 1)),
      message('E', record('E', 1)),
    ]);
    expect(records.map((r) => r.sku)).toEqual(['E']);
    expect(rejected.map((r) => [r.key, r.reason])).toEqual([
      ['A', expect.stringMatching(/not valid JSON/)],
      ['B', expect.stringMatching(/available/)],
      ['C', 'key "C" does not match value.sku "D"'],
    ]);
  });

  it('when a record is a tombstone, then it is skipped: stock is never deleted by a tombstone', () => {
    expect(newestStock([message('A', null)])).toEqual({ records: [], rejected: [] });
  });

  it('when a record has extra fields (cause, orderId), then only the stock fields are kept', () => {
    const { records } = newestStock([message('A', { ...record('A', 2), orderId: 'o-1' })]);
    expect(records).toEqual([{ sku: 'A', onHand: 3, reserved: 1, available: 2, version: 2, at: '2026-02-01T10:00:00.000Z' }]);
  });
});
