import axios, { type AxiosInstance } from 'axios';
import pMap from 'p-map';
import { DependencyUnavailableError } from '../domain/inventory.js';
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
 * The real {@link SkuCatalogue}: `GET /products/:sku` on the products service, 200 = known,
 * 404 = unknown. No answer, a 5xx or any other status is a {@link DependencyUnavailableError}.
 */
export class HttpSkuCatalogue implements SkuCatalogue {
  private readonly http: AxiosInstance;
  private readonly concurrency: number;

  constructor(options: HttpSkuCatalogueOptions) {
    this.http = axios.create({
      baseURL: options.productsUrl,
      timeout: options.timeoutMs ?? 5000,
      headers: { accept: 'application/json' },
      // Every status is an answer to interpret here, not an exception.
      validateStatus: () => true,
    });
    this.concurrency = Math.max(1, options.concurrency ?? 8);
  }

  async unknownSkus(skus: readonly string[]): Promise<string[]> {
    const known = await pMap(skus, (sku) => this.known(sku), { concurrency: this.concurrency });
    return skus.filter((_, i) => !known[i]);
  }

  private async known(sku: string): Promise<boolean> {
    const path = `/products/${encodeURIComponent(sku)}`;
    let status: number;
    try {
      ({ status } = await this.http.get(path, { responseType: 'text' }));
    } catch (err) {
      const reason = axios.isAxiosError(err) ? (err.code ?? err.message) : String(err);
      throw new DependencyUnavailableError('products', `GET ${path} failed: ${reason}`);
    }
    if (status === 200) return true;
    if (status === 404) return false;
    throw new DependencyUnavailableError('products', `GET ${path} answered ${status}`);
  }
}
