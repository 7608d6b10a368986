import { DependencyUnavailableError } from '@oms/service-kit';
import { describe, expect, it } from 'vitest';
import type { Order } from './order.js';
import { MissingReferencesError, OutOfStockError, placeOrder, type CancelResult, type OrderRepository, type ReferenceChecker, type StockLine, type StockReservations } from './place-order.js';

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

/** A fake of our own StockReservations port: records each call, and answers as told. */
class FakeStock implements StockReservations {
  readonly calls: Array<{ orderId: string; lines: StockLine[] }> = [];
  failing?: Error;
  constructor(private readonly events: string[] = []) {}
  async reserve(orderId: string, lines: readonly StockLine[]): Promise<void> {
    this.calls.push({ orderId, lines: [...lines] });
    this.events.push('reserve');
    if (this.failing) throw this.failing;
  }
}

/** An in-memory fake of our own OrderRepository port. */
class FakeOrders implements OrderRepository {
  readonly saved: Order[] = [];
  failing?: Error;
  constructor(private readonly events: string[] = []) {}
  async insert(order: Order): Promise<void> {
    this.events.push('insert');
    if (this.failing) throw this.failing;
    this.saved.push(order);
  }
  async cancel(): Promise<CancelResult> {
    return { outcome: 'missing' };
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
  const events: string[] = [];
  const references = new FakeReferences({ [CUSTOMER]: [HOME, OFFICE], [FOREIGN]: [] }, ['SKU-1', 'SKU-2'], failing);
  const orders = new FakeOrders(events);
  const stock = new FakeStock(events);
  return { references, orders, stock, events, deps: { references, orders, stock, now: () => NOW, newId: () => ORDER_ID } };
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
    expect(order).toEqual({ id: ORDER_ID, customerId: CUSTOMER, items, status: 'placed', cancelledAt: null, createdAt: NOW.toISOString(), updatedAt: NOW.toISOString() });
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

  it('when the order is valid, then its lines are reserved under its new id before it is stored', async () => {
    const { stock, events, deps } = setup();
    const items = [
      { sku: 'SKU-1', quantity: 2, addressId: HOME },
      { sku: 'SKU-1', quantity: 1, addressId: OFFICE },
      { sku: 'SKU-2', quantity: 4, addressId: HOME },
    ];
    await placeOrder({ customerId: CUSTOMER, items }, deps);
    expect(stock.calls).toEqual([
      {
        orderId: ORDER_ID,
        lines: [
          { sku: 'SKU-1', quantity: 2 },
          { sku: 'SKU-1', quantity: 1 },
          { sku: 'SKU-2', quantity: 4 },
        ],
      },
    ]);
    expect(events).toEqual(['reserve', 'insert']);
  });

  it('when the stock is short, then the 422 carries the inventory\'s message and nothing is stored', async () => {
    const { orders, stock, deps } = setup();
    stock.failing = new OutOfStockError('out of stock: SKU-1 (wanted 5, available 2)', [{ sku: 'SKU-1', wanted: 5, available: 2 }]);
    const err = (await rejection(placeOrder({ customerId: CUSTOMER, items: [{ sku: 'SKU-1', quantity: 5, addressId: HOME }] }, deps))) as OutOfStockError;
    expect(err).toBeInstanceOf(OutOfStockError);
    expect({ status: err.status, message: err.message, details: err.details }).toEqual({
      status: 422,
      message: 'out of stock: SKU-1 (wanted 5, available 2)',
      details: { outOfStock: [{ sku: 'SKU-1', wanted: 5, available: 2 }] },
    });
    expect(orders.saved).toEqual([]);
  });

  it('when the inventory is unavailable, then its 503 propagates and nothing is stored', async () => {
    const { orders, stock, deps } = setup();
    stock.failing = new DependencyUnavailableError('inventory', 'POST /reservations failed: ECONNREFUSED', 2);
    const err = await rejection(placeOrder({ customerId: CUSTOMER, items: [{ sku: 'SKU-1', quantity: 1, addressId: HOME }] }, deps));
    expect(err).toMatchObject({ status: 503, details: { dependency: 'inventory' }, retryAfterSeconds: 2 });
    expect(orders.saved).toEqual([]);
  });

  it('when a reference is missing, then nothing is reserved', async () => {
    const { stock, deps } = setup();
    await rejection(placeOrder({ customerId: CUSTOMER, items: [{ sku: 'NOPE', quantity: 1, addressId: HOME }] }, deps));
    expect(stock.calls).toEqual([]);
  });

  it('when the write fails after the reservation, then the error propagates and nothing is released (the reservation expires)', async () => {
    const { orders, stock, events, deps } = setup();
    orders.failing = new Error('MariaDB went away');
    const err = await rejection(placeOrder({ customerId: CUSTOMER, items: [{ sku: 'SKU-1', quantity: 1, addressId: HOME }] }, deps));
    expect(err).toBe(orders.failing);
    // The port has no release: reserve is the only call the inventory got.
    expect(stock.calls).toHaveLength(1);
    expect(events).toEqual(['reserve', 'insert']);
  });

  it('when the test hook is set, then it runs between the reservation and the write', async () => {
    const { events, deps } = setup();
    await placeOrder({ customerId: CUSTOMER, items: [{ sku: 'SKU-1', quantity: 1, addressId: HOME }] }, { ...deps, afterReserve: async () => void events.push('pause') });
    expect(events).toEqual(['reserve', 'pause', 'insert']);
  });
});
