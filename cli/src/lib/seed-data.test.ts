import { describe, expect, it } from 'vitest';
import { SEED_STOCK_LEVELS, seedCustomers, seedOrderShapes, seedProducts, seedStock } from './seed-data.js';

describe('seed data', () => {
  it('when generated twice, then it is identical (re-runs can recognise it)', () => {
    expect(seedProducts(20)).toEqual(seedProducts(20));
    expect(seedCustomers(5)).toEqual(seedCustomers(5));
    const c = seedCustomers(5);
    expect(seedOrderShapes(12, c, 20)).toEqual(seedOrderShapes(12, c, 20));
  });

  it('when a larger count is asked, then the smaller set is its prefix', () => {
    expect(seedProducts(30).slice(0, 10)).toEqual(seedProducts(10));
    expect(seedCustomers(8).slice(0, 3)).toEqual(seedCustomers(3));
  });

  it('when generated, then SKUs and emails are unique and prices have cents', () => {
    const products = seedProducts(200);
    expect(new Set(products.map((p) => p.sku)).size).toBe(200);
    expect(products.every((p) => Math.abs(Math.round(p.price * 100) - p.price * 100) < 1e-6 && p.price > 0)).toBe(true);
    expect(new Set(seedCustomers(50).map((c) => c.email)).size).toBe(50);
  });

  it('when orders are shaped, then every reference points inside the generated data', () => {
    const customers = seedCustomers(7);
    for (const o of seedOrderShapes(40, customers, 9)) {
      expect(o.customer).toBeLessThan(7);
      expect(new Set(o.items.map((i) => i.product)).size).toBe(o.items.length);
      for (const item of o.items) {
        expect(item.product).toBeLessThan(9);
        expect(item.address).toBeLessThan(customers[o.customer]!.addresses.length);
        expect(item.quantity).toBeGreaterThanOrEqual(1);
      }
    }
  });

  it('when there are no customers or products, then there are no orders', () => {
    expect(seedOrderShapes(5, [], 3)).toEqual([]);
    expect(seedOrderShapes(5, seedCustomers(2), 0)).toEqual([]);
  });

  it('when stock is given, then each SKU gets its level plus what the seed orders take of it, the same every time', () => {
    const customers = seedCustomers(4);
    const orders = seedOrderShapes(60, customers, 7);
    const stock = seedStock(7, orders);
    expect(stock).toEqual(seedStock(7, seedOrderShapes(60, seedCustomers(4), 7)));
    for (let i = 0; i < 7; i++) {
      const taken = orders.flatMap((o) => o.items).filter((item) => item.product === i).reduce((n, item) => n + item.quantity, 0);
      expect(stock[i]).toBe(SEED_STOCK_LEVELS[i % SEED_STOCK_LEVELS.length]! + taken);
    }
    expect(seedStock(8, [])).toEqual([120, 60, 250, 12, 500, 35, 120, 60]);
  });
});
