import type { Client, estypes } from '@elastic/elasticsearch';
import type { StockRecord } from '../domain/stock.js';
import type { BulkFailure, Refresh } from './product-repository.js';

/** Outcome of {@link StockRepository.bulkPut}: records stored, dropped as not newer, failed. */
export interface StockPutResult {
  stored: number;
  /** Older than (or as old as) the stored record of their SKU: dropped, by design. */
  stale: number;
  failed: BulkFailure[];
}

/** Stock per SKU as the inventory last published it; the stock indexer writes it, the routes read it. */
export interface StockRepository {
  /**
   * Stores each record unless its SKU already holds one with the same or a higher `version`
   * (then it counts as stale). Repeating a call changes nothing.
   */
  bulkPut(records: readonly StockRecord[], options?: { refresh?: Refresh }): Promise<StockPutResult>;
  /** Units available per SKU; SKUs without a record are absent. */
  available(skus: readonly string[]): Promise<Map<string, number>>;
}

/**
 * {@link StockRepository} over its own Elasticsearch index (see `stockMappings` for why not the
 * product documents), the SKU as `_id` and the inventory's `version` as the document's external
 * version: Elasticsearch refuses a write whose version is not higher than the stored one (409),
 * which is exactly "drop records that are not newer", atomically, whatever order they come in.
 */
export class ElasticsearchStockRepository implements StockRepository {
  constructor(
    private readonly client: Client,
    private readonly index: string,
  ) {}

  async bulkPut(records: readonly StockRecord[], { refresh }: { refresh?: Refresh } = {}): Promise<StockPutResult> {
    if (records.length === 0) return { stored: 0, stale: 0, failed: [] };
    const operations = records.flatMap((r) => [
      { index: { _index: this.index, _id: r.sku, version: r.version, version_type: 'external' as const } },
      { sku: r.sku, onHand: r.onHand, reserved: r.reserved, available: r.available, version: r.version, at: r.at },
    ]);
    const res = await this.client.bulk({ operations, refresh });
    const failed: BulkFailure[] = [];
    let stale = 0;
    res.items.forEach((item, i) => {
      const result = item.index;
      if (!result?.error) return;
      if (result.status === 409) stale++;
      else failed.push({ sku: records[i]?.sku ?? String(result._id), status: result.status, reason: `${result.error.type}: ${result.error.reason ?? ''}`.trim() });
    });
    return { stored: records.length - stale - failed.length, stale, failed };
  }

  async available(skus: readonly string[]): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    if (skus.length === 0) return found;
    const res = await this.client.mget<Pick<StockRecord, 'available'>>({ index: this.index, ids: [...skus], _source_includes: ['available'] });
    for (const doc of res.docs) {
      if ('error' in doc && doc.error.type !== 'index_not_found_exception') throw new Error(`reading stock of ${doc._id}: ${doc.error.type}: ${doc.error.reason ?? ''}`);
      // A document the index lacks, or the whole index not created yet: no stock known.
      if (!isFound(doc)) continue;
      const available = doc._source?.available;
      if (typeof available === 'number') found.set(doc._id, available);
    }
    return found;
  }
}

function isFound<T>(doc: estypes.MgetResponseItem<T>): doc is estypes.GetGetResult<T> {
  return 'found' in doc && doc.found;
}
