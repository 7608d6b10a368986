import { z } from 'zod';

/** The compacted topics the orders service keeps a view of. */
export type ReferenceKind = 'customer' | 'address' | 'product';

// Debezium's rows from the customers database (ExtractNewRecordState: flat rows, `__deleted`
// on a delete, then a tombstone) and the products topic's product JSON, keyed by SKU. Only
// what the reference checks need; every other field is ignored.
const rowKey = z.object({ id: z.union([z.string(), z.number()]).transform(String) });
const customerRow = z.object({ id: z.union([z.string(), z.number()]).transform(String), __deleted: z.string().optional() });
const addressRow = customerRow.extend({ customer_id: z.union([z.string(), z.number()]).transform(String) });
const productValue = z.object({ sku: z.string().min(1) });

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
};

/**
 * The part of the customers' and products' data an order's references are checked against:
 * which customers exist with which addresses, and which SKUs exist. Built from the topics'
 * records in offset order (a later record of a key replaces the earlier one; a delete or a
 * tombstone removes it). Pure: no Kafka here, see `ReferenceView`.
 */
export class ReferenceTables {
  private readonly skus = new Set<string>();
  private readonly customers = new Set<string>();
  private readonly addressesByCustomer = new Map<string, Set<string>>();
  private readonly ownerOfAddress = new Map<string, string>();
  private skipped = 0;

  /** Applies one record; a record of another shape is counted in `sizes().skipped` and ignored. */
  apply(kind: ReferenceKind, key: string | null, value: string | null): void {
    if (kind === 'product') {
      this.applyProduct(key, value);
      return;
    }
    // A tombstone names its row by key only.
    const parsed = value === null ? null : (kind === 'customer' ? customerRow : addressRow).safeParse(parseJson(value));
    if (parsed && !parsed.success) {
      this.skipped += 1;
      return;
    }
    const row = parsed?.data;
    const id = (row?.id ?? (key === null ? undefined : rowKey.safeParse(parseJson(key)).data?.id))?.toLowerCase();
    if (id === undefined) {
      this.skipped += 1;
      return;
    }
    const live = row !== undefined && row.__deleted !== 'true';
    if (kind === 'customer') {
      if (live) this.customers.add(id);
      else this.customers.delete(id);
      return;
    }
    this.detachAddress(id);
    const owner = live && 'customer_id' in row ? String(row.customer_id).toLowerCase() : undefined;
    if (owner === undefined) return;
    this.ownerOfAddress.set(id, owner);
    // An address may arrive before its customer (two topics): it waits under the customer's id.
    const addresses = this.addressesByCustomer.get(owner) ?? new Set<string>();
    addresses.add(id);
    this.addressesByCustomer.set(owner, addresses);
  }

  /** Whether the SKU was published and not deleted since. */
  hasSku(sku: string): boolean {
    return this.skus.has(sku);
  }

  /** The customer's address ids (lower case), or undefined when the customer is not known here. */
  addressesOf(customerId: string): ReadonlySet<string> | undefined {
    const id = customerId.toLowerCase();
    return this.customers.has(id) ? (this.addressesByCustomer.get(id) ?? new Set<string>()) : undefined;
  }

  sizes(): { customers: number; addresses: number; skus: number; skipped: number } {
    return { customers: this.customers.size, addresses: this.ownerOfAddress.size, skus: this.skus.size, skipped: this.skipped };
  }

  private applyProduct(key: string | null, value: string | null): void {
    const sku = value === null ? key : productValue.safeParse(parseJson(value)).data?.sku;
    if (!sku) {
      this.skipped += 1;
      return;
    }
    if (value === null) this.skus.delete(sku);
    else this.skus.add(sku);
  }

  private detachAddress(id: string): void {
    const owner = this.ownerOfAddress.get(id);
    if (owner === undefined) return;
    this.ownerOfAddress.delete(id);
    this.addressesByCustomer.get(owner)?.delete(id);
  }
}
