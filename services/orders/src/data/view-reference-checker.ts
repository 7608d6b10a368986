import type { ReferenceChecker } from '../domain/place-order.js';
import type { ReferenceTables } from '../domain/reference-tables.js';

/** How the checks were answered since start: from the view, or by asking the services. */
export interface ReferenceCheckCounts {
  customerHits: number;
  customerCalls: number;
  skuHits: number;
  skuCalls: number;
}

/**
 * A {@link ReferenceChecker} that answers from the view of the customers' and products' topics
 * when the view holds the answer, and asks `fallback` (the services, over HTTP) otherwise.
 * Only what the view has seen is trusted: a customer it knows with every address the order
 * uses, a SKU it has seen published. Anything it lacks — a customer created a moment ago, an
 * address just added, a SKU not yet on the topic, or everything while the view is not loaded —
 * goes to the services, so a lagging view costs a call, never a wrong 422. A delete reaches
 * the view within the topics' lag; an order placed inside that window is accepted, as it would
 * be by a check that ran just before the delete.
 */
export class ViewReferenceChecker implements ReferenceChecker {
  private readonly counts: ReferenceCheckCounts = { customerHits: 0, customerCalls: 0, skuHits: 0, skuCalls: 0 };

  constructor(
    private readonly tables: () => ReferenceTables | undefined,
    private readonly fallback: ReferenceChecker,
  ) {}

  async customerAddressIds(customerId: string, wanted: readonly string[]): Promise<ReadonlySet<string> | null> {
    const known = this.tables()?.addressesOf(customerId);
    if (known && wanted.every((id) => known.has(id.toLowerCase()))) {
      this.counts.customerHits += 1;
      return known;
    }
    this.counts.customerCalls += 1;
    return this.fallback.customerAddressIds(customerId, wanted);
  }

  async missingSkus(skus: readonly string[]): Promise<string[]> {
    const tables = this.tables();
    const unseen = tables ? skus.filter((sku) => !tables.hasSku(sku)) : [...skus];
    this.counts.skuHits += skus.length - unseen.length;
    if (unseen.length === 0) return [];
    this.counts.skuCalls += unseen.length;
    return this.fallback.missingSkus(unseen);
  }

  /** A copy of the counts, for `/health/references`. */
  stats(): ReferenceCheckCounts {
    return { ...this.counts };
  }
}
