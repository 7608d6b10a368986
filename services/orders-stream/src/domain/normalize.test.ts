import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { booleanish, cents, keyField, parseCustomer, parseOrderDetail, parseOrderHeader, parseProduct, timestamp } from './normalize.js';

/** What a field schema makes of `input`, or undefined when it rejects it. */
const read = (schema: z.ZodType, input: unknown): unknown => schema.safeParse(input).data;
const toIsoTime = (input: unknown) => read(timestamp('t'), input);
const toCents = (input: unknown) => read(cents('price'), input);
const toBoolean = (input: unknown) => read(booleanish('not a boolean'), input);

describe('timestamp', () => {
  const iso = '2026-01-15T10:30:00.123Z';
  const ms = Date.parse(iso);
  it.each([
    ['epoch milliseconds', ms],
    ['epoch milliseconds as text', String(ms)],
    ['epoch microseconds (MicroTimestamp)', ms * 1000],
    ['epoch nanoseconds (NanoTimestamp)', ms * 1_000_000],
    ['ISO text with Z', iso],
    ['ISO text with an offset', '2026-01-15T05:30:00.123-05:00'],
    ['zoneless DATETIME text (read as UTC)', '2026-01-15 10:30:00.123456'],
  ])('when a time is given as %s, then it becomes ISO 8601 UTC', (_what, input) => {
    expect(toIsoTime(input)).toBe(iso);
  });
  it.each([['text', 'soon'], ['an object', {}], ['NaN', Number.NaN], ['empty text', ' ']])('when a time is %s, then it is rejected', (_w, input) => {
    expect(toIsoTime(input)).toBeUndefined();
  });
});

describe('cents', () => {
  it.each([
    [19.99, 1999],
    ['19.99', 1999],
    [0.1, 10],
    [1.005, 101],
    ['1.005', 101],
    ['1.004', 100],
    [12, 1200],
    ['7', 700],
    [1e-7, 0],
    [0, 0],
  ])('when a price is %s, then it is %s cents', (input, cents) => {
    expect(toCents(input)).toBe(cents);
  });
  it.each([[-1], ['-1'], ['abc'], [Number.POSITIVE_INFINITY], [null], [1e30]])('when a price is %s, then it is rejected', (input) => {
    expect(toCents(input)).toBeUndefined();
  });
});

describe('booleanish', () => {
  it('when given 0/1, booleans or their text, then it reads them', () => {
    expect([1, 0, true, false, 'true', 'false', '1', '0'].map(toBoolean)).toEqual([true, false, true, false, true, false, true, false]);
    expect(toBoolean(2)).toBeUndefined();
  });
});

describe('keys', () => {
  it('when keys are JSON objects, JSON strings, plain text or Connect envelopes, then the id is found', () => {
    expect(keyField('{"order_id":"o-1"}', 'order_id')).toBe('o-1');
    expect(keyField('"SKU-1"', 'sku')).toBe('SKU-1');
    expect(keyField('SKU-1', 'sku')).toBe('SKU-1');
    expect(keyField(Buffer.from('{"schema":{"type":"struct"},"payload":{"id":"c-1"}}'), 'id')).toBe('c-1');
    expect(keyField(null, 'id')).toBeUndefined();
  });
});

describe('record parsers', () => {
  it('when a customer has active as a boolean or 0/1, then it is read as a boolean', () => {
    const base = { id: 'c-1', name: 'Ana', last_name: 'P', email: 'a@x' };
    expect(parseCustomer(null, JSON.stringify({ ...base, active: 0 }))).toMatchObject({ kind: 'upsert', row: { active: false } });
    expect(parseCustomer(null, JSON.stringify({ ...base, active: true }))).toMatchObject({ kind: 'upsert', row: { active: true, lastName: 'P' } });
    expect(parseCustomer(null, JSON.stringify({ ...base, active: 'maybe' }))).toEqual({ kind: 'invalid', reason: 'active must be a boolean or 0/1' });
  });

  it('when a row is wrapped in a Connect {schema, payload} envelope, then the payload is read', () => {
    const value = JSON.stringify({ schema: { type: 'struct' }, payload: { sku: 'S', price: '2.50', description: 'd' } });
    expect(parseProduct('S', value)).toEqual({ kind: 'upsert', row: { sku: 'S', description: 'd', priceCents: 250 } });
  });

  it('when a product value is null, then it is a delete of the SKU in the key', () => {
    expect(parseProduct(Buffer.from('SKU-1'), null)).toEqual({ kind: 'delete', id: 'SKU-1' });
  });

  it('when a header has no updated_at, then created_at stands in', () => {
    const out = parseOrderHeader(null, JSON.stringify({ id: 'o', customer_id: 'c', line_count: '2', created_at: '2026-01-01T00:00:00Z' }));
    expect(out).toEqual({
      kind: 'row',
      row: { id: 'o', customerId: 'c', lineCount: 2, status: 'placed', cancelledAt: null, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' },
    });
  });

  it('when a header is cancelled, then status and cancelled_at (epoch ms, as Debezium sends DATETIME(3)) are read', () => {
    const out = parseOrderHeader(null, JSON.stringify({ id: 'o', customer_id: 'c', line_count: 1, status: 'cancelled', created_at: 1767225600000, updated_at: 1767229200000, cancelled_at: 1767229200000 }));
    expect(out).toMatchObject({ kind: 'row', row: { status: 'cancelled', cancelledAt: '2026-01-01T01:00:00.000Z', updatedAt: '2026-01-01T01:00:00.000Z' } });
  });

  it('when a detail carries updated_at, then it is its version; without it, the version is null', () => {
    const detail = (extra: Record<string, unknown>) => JSON.stringify({ id: 1, order_id: 'o', line_no: 1, sku: 'S', quantity: 1, address_id: 'a', ...extra });
    expect(parseOrderDetail(null, detail({ updated_at: 1767229200000 }))).toMatchObject({ kind: 'row', row: { updatedAt: '2026-01-01T01:00:00.000Z' } });
    expect(parseOrderDetail(null, detail({}))).toMatchObject({ kind: 'row', row: { updatedAt: null } });
    expect(parseOrderDetail(null, detail({ updated_at: 'soon' }))).toEqual({ kind: 'invalid', reason: 'updated_at is not a timestamp' });
  });

  it('when a detail has no line_no, then its id tells lines apart', () => {
    const out = parseOrderDetail('{"order_id":"o"}', JSON.stringify({ id: 7, sku: 'S', quantity: 1, address_id: 'a' }));
    expect(out).toMatchObject({ kind: 'row', row: { lineKey: 'id:7', orderId: 'o', lineNo: null } });
  });

  it('when a detail quantity is zero or fractional, then it is rejected', () => {
    const detail = (quantity: number) => JSON.stringify({ id: 1, order_id: 'o', line_no: 1, sku: 'S', quantity, address_id: 'a' });
    expect(parseOrderDetail(null, detail(0))).toEqual({ kind: 'invalid', reason: 'quantity must be positive (got 0)' });
    expect(parseOrderDetail(null, detail(1.5))).toEqual({ kind: 'invalid', reason: 'quantity must be an integer' });
  });
});
