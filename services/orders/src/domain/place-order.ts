import { randomUUID } from 'node:crypto';
import { UnprocessableError } from '@oms/service-kit';
import type { Order, PlaceOrderInput } from './order.js';

/**
 * Answers "does this exist?" for the references an order makes. The real implementation asks
 * the customers and products services over HTTP; tests pass a fake. Implementations throw
 * service-kit's `DependencyUnavailableError` (a 503) when they cannot get an answer.
 */
export interface ReferenceChecker {
  /** Ids of the customer's addresses, or `null` when the customer does not exist. */
  customerAddressIds(customerId: string): Promise<ReadonlySet<string> | null>;
  /** The subset of `skus` that does not exist. */
  missingSkus(skus: readonly string[]): Promise<string[]>;
}

/** Where orders are kept. */
export interface OrderRepository {
  /** Writes the order and all its lines atomically. */
  insert(order: Order): Promise<void>;
  findById(id: string): Promise<Order | null>;
  /** One page of a customer's orders, newest first, with the total count. */
  listByCustomer(customerId: string, page: { limit: number; offset: number }): Promise<{ items: Order[]; total: number }>;
}

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

export interface PlaceOrderDeps {
  references: ReferenceChecker;
  orders: OrderRepository;
  now?: () => Date;
  newId?: () => string;
}

/**
 * Places an order: checks the customer, that every address is one of that customer's, and
 * that every SKU exists (customer and SKU checks run concurrently), then stores the order.
 * Throws {@link MissingReferencesError} listing everything missing at once.
 */
export async function placeOrder(input: PlaceOrderInput, { references, orders, now = () => new Date(), newId = randomUUID }: PlaceOrderDeps): Promise<Order> {
  const skus = unique(input.items.map((item) => item.sku));
  const addressIds = unique(input.items.map((item) => item.addressId));
  const [customerAddresses, missingSkus] = await Promise.all([references.customerAddressIds(input.customerId), references.missingSkus(skus)]);

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

  const at = now().toISOString();
  const order: Order = {
    id: newId(),
    customerId: input.customerId,
    items: input.items.map(({ sku, quantity, addressId }) => ({ sku, quantity, addressId })),
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
