import { describe, expect, it } from 'vitest';
import type { ReferenceChecker } from '../domain/place-order.js';
import { ReferenceTables } from '../domain/reference-tables.js';
import { ViewReferenceChecker } from './view-reference-checker.js';

/** The services' answers, recording every question: a fake of our own port. */
class RecordingFallback implements ReferenceChecker {
  readonly asked: string[] = [];
  constructor(
    private readonly customers: Record<string, string[]>,
    private readonly skus: string[],
  ) {}
  async customerAddressIds(customerId: string): Promise<ReadonlySet<string> | null> {
    this.asked.push(`customer ${customerId}`);
    const addresses = this.customers[customerId];
    return addresses ? new Set(addresses) : null;
  }
  async missingSkus(skus: readonly string[]): Promise<string[]> {
    this.asked.push(`skus ${skus.join(',')}`);
    return skus.filter((sku) => !this.skus.includes(sku));
  }
}

function tablesWith(): ReferenceTables {
  const t = new ReferenceTables();
  t.apply('customer', null, JSON.stringify({ id: 'c-1', __deleted: 'false' }));
  t.apply('address', null, JSON.stringify({ id: 'a-1', customer_id: 'c-1', __deleted: 'false' }));
  t.apply('product', 'SKU-1', JSON.stringify({ sku: 'SKU-1' }));
  return t;
}

describe('ViewReferenceChecker', () => {
  it('when the view knows the customer with every address and every SKU, then nothing is asked of the services', async () => {
    const fallback = new RecordingFallback({}, []);
    const checker = new ViewReferenceChecker(() => tablesWith(), fallback);
    expect([...((await checker.customerAddressIds('c-1', ['a-1'])) ?? [])]).toEqual(['a-1']);
    expect(await checker.missingSkus(['SKU-1'])).toEqual([]);
    expect(fallback.asked).toEqual([]);
    expect(checker.stats()).toEqual({ customerHits: 1, customerCalls: 0, skuHits: 1, skuCalls: 0 });
  });

  it('when the order uses an address the view has not seen, then the customers service answers (a just-added address is not refused)', async () => {
    const fallback = new RecordingFallback({ 'c-1': ['a-1', 'a-2'] }, []);
    const checker = new ViewReferenceChecker(() => tablesWith(), fallback);
    expect([...((await checker.customerAddressIds('c-1', ['a-2'])) ?? [])]).toEqual(['a-1', 'a-2']);
    expect(fallback.asked).toEqual(['customer c-1']);
  });

  it('when the customer is not in the view, then the service decides, including that it does not exist', async () => {
    const fallback = new RecordingFallback({}, []);
    const checker = new ViewReferenceChecker(() => tablesWith(), fallback);
    expect(await checker.customerAddressIds('c-9', ['a-1'])).toBeNull();
    expect(fallback.asked).toEqual(['customer c-9']);
  });

  it('when some SKUs are not in the view, then only those are asked of the products service', async () => {
    const fallback = new RecordingFallback({}, ['SKU-2']);
    const checker = new ViewReferenceChecker(() => tablesWith(), fallback);
    expect(await checker.missingSkus(['SKU-1', 'SKU-2', 'SKU-3'])).toEqual(['SKU-3']);
    expect(fallback.asked).toEqual(['skus SKU-2,SKU-3']);
    expect(checker.stats()).toMatchObject({ skuHits: 1, skuCalls: 2 });
  });

  it('when there is no view (not loaded, or Kafka never answered), then every check goes to the services', async () => {
    const fallback = new RecordingFallback({ 'c-1': ['a-1'] }, ['SKU-1']);
    const checker = new ViewReferenceChecker(() => undefined, fallback);
    expect(await checker.customerAddressIds('c-1', ['a-1'])).not.toBeNull();
    expect(await checker.missingSkus(['SKU-1'])).toEqual([]);
    expect(fallback.asked).toEqual(['customer c-1', 'skus SKU-1']);
  });
});
