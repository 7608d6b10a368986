import { createHttpClient, DependencyUnavailableError, describeRequest, parseAnswer } from '@oms/service-kit';
import type { AxiosInstance, AxiosResponse } from 'axios';
import { z } from 'zod';
import type { ReferenceChecker } from '../domain/place-order.js';

export interface HttpReferenceCheckerOptions {
  /** Base URL of the customers service, without a trailing slash. */
  customersUrl: string;
  /** Base URL of the products service, without a trailing slash. */
  productsUrl: string;
  /** Per-request budget; a slower dependency counts as unavailable. */
  timeoutMs?: number;
  /** SKU look-ups in flight at once: parallel for speed, bounded so 100 lines do not open 100 sockets. */
  concurrency?: number;
}

// Only what the check needs from GET /customers/:id; services never share types.
const customerAddressesSchema = z.object({ addresses: z.array(z.object({ id: z.string() })) });

/**
 * The real {@link ReferenceChecker}: asks the customers service (GET /customers/:id, whose
 * body lists the addresses) and the products service (GET /products/:sku, 404 when unknown)
 * through service-kit's HTTP client. A 404 means "missing"; no answer, a 5xx, another status
 * or a body of the wrong shape is a {@link DependencyUnavailableError}: a 503 naming the service.
 */
export class HttpReferenceChecker implements ReferenceChecker {
  private readonly customers: AxiosInstance;
  private readonly products: AxiosInstance;
  private readonly concurrency: number;

  constructor(options: HttpReferenceCheckerOptions) {
    const timeoutMs = options.timeoutMs ?? 5000;
    this.concurrency = Math.max(1, options.concurrency ?? 16);
    this.customers = createHttpClient({ dependency: 'customers', baseUrl: options.customersUrl, timeoutMs, maxSockets: this.concurrency });
    this.products = createHttpClient({ dependency: 'products', baseUrl: options.productsUrl, timeoutMs, maxSockets: this.concurrency });
  }

  async customerAddressIds(customerId: string): Promise<ReadonlySet<string> | null> {
    const res = await this.customers.get(`/customers/${encodeURIComponent(customerId)}`);
    if (res.status === 404) return null;
    expectOk(res, 'customers');
    const { addresses } = parseAnswer(customerAddressesSchema, res, 'customers');
    return new Set(addresses.map((address) => address.id.toLowerCase()));
  }

  async missingSkus(skus: readonly string[]): Promise<string[]> {
    const unique = [...new Set(skus)];
    const found = await mapBounded(unique, this.concurrency, (sku) => this.skuExists(sku));
    return unique.filter((_, index) => !found[index]);
  }

  private async skuExists(sku: string): Promise<boolean> {
    const res = await this.products.get(`/products/${encodeURIComponent(sku)}`);
    if (res.status === 404) return false;
    expectOk(res, 'products');
    return true;
  }
}

/** A 4xx other than the 404 the caller handles means we asked wrongly or it changed: not usable. */
function expectOk(res: AxiosResponse, dependency: string): void {
  if (res.status !== 200) throw new DependencyUnavailableError(dependency, `${describeRequest(res.config)} answered ${res.status}`);
}

/** Like Promise.all over `items.map(work)`, with at most `limit` calls in flight. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
