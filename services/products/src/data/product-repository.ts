import { errors, type Client, type estypes } from '@elastic/elasticsearch';
import type { Product, ProductPage, ProductSearch } from '../domain/product.js';
import { buildSearchRequest } from './search-query.js';

/** How a write becomes visible to searches; tests refresh, the indexer keeps the default (async refresh). */
export type Refresh = boolean | 'wait_for';

/** Per-document failure of a bulk write; the caller decides whether to retry or skip. */
export interface BulkFailure {
  sku: string;
  status: number;
  reason: string;
}

/** Outcome of a bulk write: how many documents succeeded and which failed. */
export interface BulkResult {
  succeeded: number;
  failed: BulkFailure[];
}

/** Storage of products; the REST routes read it and the Kafka indexer writes it. */
export interface ProductRepository {
  /** Full-text search (or a SKU-ordered listing when there is no text). */
  search(query: ProductSearch): Promise<ProductPage>;
  /** The product with this SKU, or `undefined`. */
  get(sku: string): Promise<Product | undefined>;
  /** Inserts or replaces products by SKU; repeating the same call changes nothing. */
  bulkUpsert(products: readonly Product[], options?: { refresh?: Refresh }): Promise<BulkResult>;
  /** Deletes products by SKU; deleting a SKU that is not there counts as success (tombstones replay). */
  bulkDelete(skus: readonly string[], options?: { refresh?: Refresh }): Promise<BulkResult>;
  /** Resolves when the cluster is yellow or green; used by `/health`. */
  ping(): Promise<void>;
}

/** {@link ProductRepository} over one Elasticsearch index, with the SKU as document `_id`. */
export class ElasticsearchProductRepository implements ProductRepository {
  constructor(
    private readonly client: Client,
    private readonly index: string,
  ) {}

  async search(query: ProductSearch): Promise<ProductPage> {
    const res = await this.client.search<Product>(buildSearchRequest(this.index, query));
    const total = typeof res.hits.total === 'number' ? res.hits.total : (res.hits.total?.value ?? 0);
    const items = res.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
    return { items, total, limit: query.limit, offset: query.offset };
  }

  async get(sku: string): Promise<Product | undefined> {
    try {
      const res = await this.client.get<Product>({ index: this.index, id: sku });
      return res.found ? res._source : undefined;
    } catch (err) {
      if (err instanceof errors.ResponseError && err.statusCode === 404) return undefined;
      throw err;
    }
  }

  async bulkUpsert(products: readonly Product[], { refresh }: { refresh?: Refresh } = {}): Promise<BulkResult> {
    if (products.length === 0) return { succeeded: 0, failed: [] };
    // `index` (not `create`/`update`) replaces the whole document, so a replayed message
    // lands on the same _id with the same content: idempotent by construction.
    const operations = products.flatMap((p) => [{ index: { _index: this.index, _id: p.sku } }, p]);
    const res = await this.client.bulk({ operations, refresh });
    return summarize(res, products.map((p) => p.sku), new Set());
  }

  async bulkDelete(skus: readonly string[], { refresh }: { refresh?: Refresh } = {}): Promise<BulkResult> {
    if (skus.length === 0) return { succeeded: 0, failed: [] };
    const operations = skus.map((sku) => ({ delete: { _index: this.index, _id: sku } }));
    const res = await this.client.bulk({ operations, refresh });
    return summarize(res, skus, new Set([404]));
  }

  async ping(): Promise<void> {
    const health = await this.client.cluster.health();
    if (health.status !== 'green' && health.status !== 'yellow') {
      throw new Error(`cluster health is ${health.status}`);
    }
  }
}

/** Bulk answers per item, in request order; item statuses in `okStatuses` count as success. */
function summarize(res: estypes.BulkResponse, skus: readonly string[], okStatuses: Set<number>): BulkResult {
  const failed: BulkFailure[] = [];
  res.items.forEach((item, i) => {
    const result = item.index ?? item.delete ?? item.create ?? item.update;
    if (!result?.error || okStatuses.has(result.status)) return;
    failed.push({
      sku: skus[i] ?? String(result._id),
      status: result.status,
      reason: `${result.error.type}: ${result.error.reason ?? ''}`.trim(),
    });
  });
  return { succeeded: skus.length - failed.length, failed };
}
