import { DependencyUnavailableError } from '@oms/service-kit';
import { describe, expect, it } from 'vitest';
import type { Order } from './order.js';
import { MissingReferencesError, placeOrder, type OrderRepository, type ReferenceChecker } from './place-order.js';

const CUSTOMER = '6f1c1a64-8b39-4f0e-9a53-2f4a2b0a9d10';
const HOME = '0b8e4a3c-1d2e-4f50-8a9b-0c1d2e3f4a5b';
const OFFICE = '1c9f5b4d-2e3f-4a61-9bac-1d2e3f4a5b6c';
const FOREIGN = '2da06c5e-3f40-4b72-8cbd-2e3f4a5b6c7d';
const ORDER_ID = '3eb17d6f-4051-4c83-9dce-3f4a5b6c7d8e';
const NOW = new Date('2025-06-01T12:00:00.000Z');

/** A fake of our own ReferenceChecker port that also records what it was asked. */
class FakeReferences implements ReferenceChecker {
  readonly skuCalls: string[][] = [];
  constructor(
    private readonly customers: Record<string, string[]>,
    private readonly skus: string[],
    private readonly failing?: DependencyUnavailableError,
  ) {}

  async customerAddressIds(customerId: string): Promise<ReadonlySet<string> | null> {
    if (this.failing?.dependency === 'customers') throw this.failing;
    const addresses = this.customers[customerId];
    return addresses ? new Set(addresses) : null;
  }

  async missingSkus(skus: readonly string[]): Promise<string[]> {
    this.skuCalls.push([...skus]);
    if (this.failing?.dependency === 'products') throw this.failing;
    return skus.filter((sku) => !this.skus.includes(sku));
  }
}

/** An in-memory fake of our own OrderRepository port. */
class FakeOrders implements OrderRepository {
  readonly saved: Order[] = [];
  async insert(order: Order): Promise<void> {
    this.saved.push(order);
  }
  async findById(id: string): Promise<Order | null> {
    return this.saved.find((order) => order.id === id) ?? null;
  }
  async listByCustomer(customerId: string): Promise<{ items: Order[]; total: number }> {
    const items = this.saved.filter((order) => order.customerId === customerId);
    return { items, total: items.length };
  }
}

function setup(failing?: DependencyUnavailableError) {
  const references = new FakeReferences({ [CUSTOMER]: [HOME, OFFICE], [FOREIGN]: [] }, ['SKU-1', 'SKU-2'], failing);
  const orders = new FakeOrders();
  return { references, orders, deps: { references, orders, now: () => NOW, newId: () => ORDER_ID } };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (err: unknown) => err,
  );
}

describe('placeOrder', () => {
  it('when every reference exists, then the order is stored and returned with its lines in order', async () => {
    const { orders, deps } = setup();
    const items = [
      { sku: 'SKU-2', quantity: 1, addressId: HOME },
      { sku: 'SKU-1', quantity: 3, addressId: OFFICE },
    ];
    const order = await placeOrder({ customerId: CUSTOMER, items }, deps);
    expect(order).toEqual({ id: ORDER_ID, customerId: CUSTOMER, items, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() });
    expect(orders.saved).toEqual([order]);
  });

  it('when a SKU repeats across lines, then it is checked once', async () => {
    const { references, deps } = setup();
    const items = [
      { sku: 'SKU-1', quantity: 1, addressId: HOME },
      { sku: 'SKU-1', quantity: 2, addressId: OFFICE },
      { sku: 'SKU-2', quantity: 1, addressId: HOME },
    ];
    await placeOrder({ customerId: CUSTOMER, items }, deps);
    expect(references.skuCalls).toEqual([['SKU-1', 'SKU-2']]);
  });

  it('when the customer does not exist, then MissingReferencesError names the customer and nothing is stored', async () => {
    const { orders, deps } = setup();
    const missingCustomer = '4fc28e70-5162-4d94-aedf-4a5b6c7d8e9f';
    const err = await rejection(placeOrder({ customerId: missingCustomer, items: [{ sku: 'SKU-1', quantity: 1, addressId: HOME }] }, deps));
    expect(err).toBeInstanceOf(MissingReferencesError);
    expect((err as MissingReferencesError).missing).toEqual({ customer: missingCustomer });
    expect((err as MissingReferencesError).status).toBe(422);
    expect(orders.saved).toEqual([]);
  });

  it("when an address is unknown or another customer's, then each is listed once", async () => {
    const { deps } = setup();
    const unknown = '5ad39f81-6273-4ea5-bfe0-5b6c7d8e9fa0';
    const items = [
      { sku: 'SKU-1', quantity: 1, addressId: unknown },
      { sku: 'SKU-1', quantity: 1, addressId: HOME },
      { sku: 'SKU-2', quantity: 1, addressId: unknown },
    ];
    const err = (await rejection(placeOrder({ customerId: FOREIGN, items }, deps))) as MissingReferencesError;
    expect(err.missing).toEqual({ addresses: [unknown, HOME] });
  });

  it('when addresses and SKUs are missing together, then the error names all of them', async () => {
    const { orders, deps } = setup();
    const items = [
      { sku: 'NOPE-1', quantity: 1, addressId: HOME },
      { sku: 'SKU-1', quantity: 1, addressId: FOREIGN },
      { sku: 'NOPE-2', quantity: 1, addressId: HOME },
    ];
    const err = (await rejection(placeOrder({ customerId: CUSTOMER, items }, deps))) as MissingReferencesError;
    expect(err.missing).toEqual({ addresses: [FOREIGN], skus: ['NOPE-1', 'NOPE-2'] });
    expect(err.message).toContain('NOPE-1');
    expect(err.details).toEqual({ missing: { addresses: [FOREIGN], skus: ['NOPE-1', 'NOPE-2'] } });
    expect(orders.saved).toEqual([]);
  });

  it('when a dependency is unavailable, then its 503 error propagates and nothing is stored', async () => {
    for (const dependency of ['customers', 'products'] as const) {
      const { orders, deps } = setup(new DependencyUnavailableError(dependency, 'connection refused'));
      const err = await rejection(placeOrder({ customerId: CUSTOMER, items: [{ sku: 'SKU-1', quantity: 1, addressId: HOME }] }, deps));
      expect(err).toBeInstanceOf(DependencyUnavailableError);
      expect((err as DependencyUnavailableError).status).toBe(503);
      expect((err as DependencyUnavailableError).details).toEqual({ dependency });
      expect(orders.saved).toEqual([]);
    }
  });
});
