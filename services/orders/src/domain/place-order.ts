import { randomUUID } from 'node:crypto';
import { UnprocessableError } from '@oms/service-kit';
import type { Order, PlaceOrderInput } from './order.js';

/**
 * Answers "does this exist?" for the references an order makes. The real implementation asks
 * the customers and products services over HTTP; tests pass a fake. Implementations throw
 * service-kit's `DependencyUnavailableError` (a 503) when they cannot get an answer.
 */
export interface ReferenceChecker {
  /**
   * Ids of the customer's addresses, or `null` when the customer does not exist. `wanted` are
   * the ids the order uses: an implementation with a local view may answer from it when it
   * holds them all, and ask the authority otherwise.
   */
  customerAddressIds(customerId: string, wanted: readonly string[]): Promise<ReadonlySet<string> | null>;
  /** The subset of `skus` that does not exist. */
  missingSkus(skus: readonly string[]): Promise<string[]>;
}

/** A line of a reservation: units of one SKU. */
export interface StockLine {
  sku: string;
  quantity: number;
}

/**
 * Holds stock for an order before it is written. The real one asks the inventory service over
 * HTTP; tests pass a fake. A reservation is idempotent by order id: asking again for the same
 * order and lines holds nothing more, which is what makes retrying it safe.
 */
export interface StockReservations {
  /**
   * Reserves every line or none. Throws {@link OutOfStockError} (a 422) when a line is short,
   * service-kit's `DependencyUnavailableError` (a 503) when the inventory cannot answer.
   */
  reserve(orderId: string, lines: readonly StockLine[]): Promise<void>;
}

/** Where orders are kept. */
export interface OrderRepository {
  /** Writes the order and all its lines atomically. */
  insert(order: Order): Promise<void>;
  findById(id: string): Promise<Order | null>;
  /** One page of a customer's orders, newest first, with the total count. */
  listByCustomer(customerId: string, page: { limit: number; offset: number }): Promise<{ items: Order[]; total: number }>;
  /**
   * Marks the order cancelled at `at` (see {@link cancellationTime}), the order and every line
   * in one transaction; an order cancelled already is left as it is.
   */
  cancel(id: string, now: Date): Promise<CancelResult>;
}

/** What {@link OrderRepository.cancel} found and did. */
export type CancelResult = { outcome: 'cancelled' | 'already-cancelled'; order: Order } | { outcome: 'missing' };

/** What an order referred to that does not exist. Absent keys were found. */
export interface MissingReferences {
  customer?: string;
  /** Address ids that are unknown or belong to another customer. */
  addresses?: string[];
  skus?: string[];
}

/** The order refers to things that do not exist: a 422 naming exactly which. */
export class MissingReferencesError extends UnprocessableError {
  constructor(readonly missing: MissingReferences) {
    super(describeMissing(missing), { missing });
    this.name = 'MissingReferencesError';
  }
}

/** A SKU the inventory could not cover. */
export interface Shortage {
  sku: string;
  wanted: number;
  available: number;
}

/**
 * The inventory cannot cover the order: a 422 carrying the inventory's own message
 * (`out of stock: SKU-00004 (wanted 5, available 2)`) and every short SKU.
 */
export class OutOfStockError extends UnprocessableError {
  constructor(
    message: string,
    readonly outOfStock: readonly Shortage[],
  ) {
    super(message, { outOfStock });
    this.name = 'OutOfStockError';
  }
}

export interface PlaceOrderDeps {
  references: ReferenceChecker;
  orders: OrderRepository;
  stock: StockReservations;
  now?: () => Date;
  newId?: () => string;
  /**
   * Runs between the reservation and the write: a test hook (`TEST_PAUSE_AFTER_RESERVE_MS`) that
   * holds an order there, so a test can kill the service at the worst moment.
   */
  afterReserve?: () => Promise<void>;
}

/**
 * Places an order: checks the customer, that every address is one of that customer's, and
 * that every SKU exists (customer and SKU checks run concurrently); then reserves its stock
 * under the order's new id and only then stores the order. Throws
 * {@link MissingReferencesError} listing everything missing at once, {@link OutOfStockError}
 * when the stock is short (nothing is stored).
 *
 * Two stores, no distributed transaction: if the write fails (or the process dies) after the
 * reservation, nothing releases it here. The reservation stays pending, the order's row never
 * reaches the inventory through CDC, and the inventory expires it after its TTL, returning the
 * units (docs/architecture.md, "The path of one order").
 */
export async function placeOrder(input: PlaceOrderInput, { references, orders, stock, now = () => new Date(), newId = randomUUID, afterReserve }: PlaceOrderDeps): Promise<Order> {
  const skus = unique(input.items.map((item) => item.sku));
  const addressIds = unique(input.items.map((item) => item.addressId));
  const [customerAddresses, missingSkus] = await Promise.all([references.customerAddressIds(input.customerId, addressIds), references.missingSkus(skus)]);

  const missing: MissingReferences = {};
  // Without a customer no address can belong to it; naming the customer alone says it all.
  if (customerAddresses === null) missing.customer = input.customerId;
  else {
    const foreign = addressIds.filter((addressId) => !customerAddresses.has(addressId));
    if (foreign.length > 0) missing.addresses = foreign;
  }
  const unknownSkus = new Set(missingSkus);
  if (unknownSkus.size > 0) missing.skus = skus.filter((sku) => unknownSkus.has(sku));
  if (Object.keys(missing).length > 0) throw new MissingReferencesError(missing);

  const id = newId();
  await stock.reserve(
    id,
    input.items.map(({ sku, quantity }) => ({ sku, quantity })),
  );
  await afterReserve?.();
  const at = now().toISOString();
  const order: Order = {
    id,
    customerId: input.customerId,
    items: input.items.map(({ sku, quantity, addressId }) => ({ sku, quantity, addressId })),
    status: 'placed',
    cancelledAt: null,
    createdAt: at,
    updatedAt: at,
  };
  await orders.insert(order);
  return order;
}

/** First-seen order, so messages list things as the client wrote them. */
function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function describeMissing({ customer, addresses, skus }: MissingReferences): string {
  const parts: string[] = [];
  if (customer !== undefined) parts.push(`customer ${customer} does not exist`);
  if (addresses) parts.push(`address(es) ${addresses.join(', ')} do not exist or are not the customer's`);
  if (skus) parts.push(`SKU(s) ${skus.join(', ')} do not exist`);
  return `the order refers to unknown things: ${parts.join('; ')}`;
}
