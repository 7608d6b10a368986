import { createHttpClient, DependencyUnavailableError, describeRequest } from '@oms/service-kit';
import type { AxiosInstance } from 'axios';
import pMap from 'p-map';
import type { SkuCatalogue } from '../domain/inventory-service.js';

export interface HttpSkuCatalogueOptions {
  /** Base URL of the products service, without a trailing slash. */
  productsUrl: string;
  /** Per-request budget; a slower answer counts as unavailable. */
  timeoutMs?: number;
  /** Look-ups in flight at once: parallel for speed, bounded so 100 SKUs do not open 100 sockets. */
  concurrency?: number;
}

/**
 * The real {@link SkuCatalogue}: `GET /products/:sku` on the products service through
 * service-kit's HTTP client, 200 = known, 404 = unknown. No answer, a 5xx or any other status
 * is a {@link DependencyUnavailableError} naming products.
 */
export class HttpSkuCatalogue implements SkuCatalogue {
  private readonly http: AxiosInstance;
  private readonly concurrency: number;

  constructor(options: HttpSkuCatalogueOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.http = createHttpClient({ dependency: 'products', baseUrl: options.productsUrl, timeoutMs: options.timeoutMs ?? 5000, maxSockets: this.concurrency });
  }

  async unknownSkus(skus: readonly string[]): Promise<string[]> {
    const known = await pMap(skus, (sku) => this.known(sku), { concurrency: this.concurrency });
    return skus.filter((_, i) => !known[i]);
  }

  private async known(sku: string): Promise<boolean> {
    // Only the status matters: the body is not read, so a text answer is as good as JSON.
    const res = await this.http.get(`/products/${encodeURIComponent(sku)}`, { responseType: 'text' });
    if (res.status === 200) return true;
    if (res.status === 404) return false;
    throw new DependencyUnavailableError('products', `${describeRequest(res.config)} answered ${res.status}`);
  }
}
