import { describe, expect, it } from 'vitest';
import { ReferenceTables } from './reference-tables.js';

const key = (id: string) => JSON.stringify({ id });
const customer = (id: string, deleted = false) => JSON.stringify({ id, email: `${id}@example.com`, __deleted: String(deleted) });
const address = (id: string, customerId: string, deleted = false) => JSON.stringify({ id, customer_id: customerId, city: 'Lyon', __deleted: String(deleted) });
const product = (sku: string) => JSON.stringify({ sku, description: 'kettle', price: 10 });

describe('ReferenceTables', () => {
  it('when a customer and its addresses arrive, then it is known with those addresses, ids compared in lower case', () => {
    const t = new ReferenceTables();
    t.apply('customer', key('C-1'), customer('C-1'));
    t.apply('address', key('A-1'), address('A-1', 'C-1'));
    t.apply('address', key('a-2'), address('a-2', 'c-1'));
    expect([...(t.addressesOf('c-1') ?? [])]).toEqual(['a-1', 'a-2']);
    expect(t.addressesOf('C-2')).toBeUndefined();
    expect(t.sizes()).toEqual({ customers: 1, addresses: 2, skus: 0, skipped: 0 });
  });

  it('when an address arrives before its customer, then the customer is unknown until its own row arrives', () => {
    const t = new ReferenceTables();
    t.apply('address', key('a-1'), address('a-1', 'c-1'));
    expect(t.addressesOf('c-1')).toBeUndefined();
    t.apply('customer', key('c-1'), customer('c-1'));
    expect([...(t.addressesOf('c-1') ?? [])]).toEqual(['a-1']);
  });

  it('when a customer with no address is known, then it has an empty set, not undefined', () => {
    const t = new ReferenceTables();
    t.apply('customer', key('c-1'), customer('c-1'));
    expect(t.addressesOf('c-1')?.size).toBe(0);
  });

  it('when an address moves to another customer or is deleted, then it leaves the first customer', () => {
    const t = new ReferenceTables();
    t.apply('customer', key('c-1'), customer('c-1'));
    t.apply('customer', key('c-2'), customer('c-2'));
    t.apply('address', key('a-1'), address('a-1', 'c-1'));
    t.apply('address', key('a-1'), address('a-1', 'c-2'));
    expect(t.addressesOf('c-1')?.has('a-1')).toBe(false);
    expect(t.addressesOf('c-2')?.has('a-1')).toBe(true);
    t.apply('address', key('a-1'), address('a-1', 'c-2', true));
    t.apply('address', key('a-1'), null);
    expect(t.addressesOf('c-2')?.has('a-1')).toBe(false);
  });

  it("when a customer's delete or its tombstone arrives, then the customer is unknown again", () => {
    const t = new ReferenceTables();
    t.apply('customer', key('c-1'), customer('c-1'));
    t.apply('customer', key('c-1'), customer('c-1', true));
    expect(t.addressesOf('c-1')).toBeUndefined();
    t.apply('customer', key('c-2'), customer('c-2'));
    t.apply('customer', key('c-2'), null);
    expect(t.addressesOf('c-2')).toBeUndefined();
  });

  it('when a product is published, then its SKU exists (case kept); its tombstone removes it', () => {
    const t = new ReferenceTables();
    t.apply('product', 'SKU-1', product('SKU-1'));
    expect(t.hasSku('SKU-1')).toBe(true);
    expect(t.hasSku('sku-1')).toBe(false);
    t.apply('product', 'SKU-1', null);
    expect(t.hasSku('SKU-1')).toBe(false);
  });

  it('when a record has another shape, then it is counted as skipped and changes nothing', () => {
    const t = new ReferenceTables();
    t.apply('customer', key('c-1'), 'not json');
    t.apply('address', key('a-1'), JSON.stringify({ id: 'a-1' }));
    t.apply('product', null, JSON.stringify({ name: 'no sku' }));
    t.apply('customer', null, null);
    expect(t.sizes()).toEqual({ customers: 0, addresses: 0, skus: 0, skipped: 4 });
  });
});
