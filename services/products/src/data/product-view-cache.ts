import { LRUCache } from 'lru-cache';
import type { Product } from '../domain/product.js';
import type { ProductView } from '../domain/stock.js';
import type { BulkResult, ProductRepository, Refresh } from './product-repository.js';
import type { ProductViewSource, ViewRead } from './product-views.js';
import type { StockPutResult, StockRepository } from './stock-repository.js';

export interface ProductViewCacheOptions {
  /** Most SKUs held; the least recently read go first. */
  max: number;
  /**
   * Longest an entry is served after the read that filled it. Writes through this process keep
   * entries exact; the TTL only bounds how long a write from outside it (another instance, a
   * test or a person writing the index directly) can go unseen.
   */
  ttlMs: number;
}

/** An entry: the view, or `null` for "no such product" (lru-cache cannot hold a bare null). */
interface Entry {
  view: ProductView | null;
}

/**
 * The in-process read cache of `GET /products/:sku` (see docs/architecture.md, "Product reads"):
 * a bounded LRU of views in front of a {@link ProductViewSource}. A miss reads through, and
 * concurrent misses of one SKU share that read. The writes of this process go through
 * {@link cachedProducts} and {@link cachedStock}, which update (or evict) each SKU they wrote
 * once its bulk has answered, so a read after the indexer wrote never serves the old value.
 * A write also cancels the caching of a read of that SKU still in flight: that read may have
 * seen the index before the write, so it answers its own callers but is not kept.
 */
export class ProductViewCache implements ProductViewSource {
  private readonly entries: LRUCache<string, Entry>;
  private readonly inFlight = new Map<string, Promise<ViewRead>>();

  constructor(
    private readonly source: ProductViewSource,
    { max, ttlMs }: ProductViewCacheOptions,
  ) {
    this.entries = new LRUCache<string, Entry>({ max, ttl: ttlMs });
  }

  read(sku: string): Promise<ViewRead> {
    const entry = this.entries.get(sku);
    if (entry) return Promise.resolve({ view: entry.view });
    const pending = this.inFlight.get(sku);
    if (pending) return pending;
    const read: Promise<ViewRead> = this.source.read(sku).then(
      (result) => {
        // Kept only if no write of this SKU came meanwhile (a write removes the in-flight read)
        // and the whole view was read: a view whose stock could not be read is not cached.
        if (this.inFlight.get(sku) === read && !result.stockError) this.entries.set(sku, { view: result.view });
        this.settle(sku, read);
        return result;
      },
      (err: unknown) => {
        this.settle(sku, read);
        throw err;
      },
    );
    this.inFlight.set(sku, read);
    return read;
  }

  /** Products this process wrote: `upserted` and `deleted` are in the index now; `unknown` may or may not be. */
  productsWritten({ upserted = [], deleted = [], unknown = [] }: { upserted?: readonly Product[]; deleted?: readonly string[]; unknown?: readonly string[] }): void {
    for (const product of upserted) {
      const entry = this.written(product.sku);
      // A cached "no such product" says nothing of its stock: read the new view in full.
      if (entry?.view) this.entries.set(product.sku, { view: { ...product, available: entry.view.available } }, { noUpdateTTL: true });
      else this.entries.delete(product.sku);
    }
    for (const sku of deleted) if (this.written(sku)) this.entries.set(sku, { view: null }, { noUpdateTTL: true });
    for (const sku of unknown) this.evict(sku);
  }

  /** Stock this process stored (these records are what the index holds now); `unknown` SKUs may hold anything. */
  stockWritten({ stored = [], unknown = [] }: { stored?: ReadonlyArray<{ sku: string; available: number }>; unknown?: readonly string[] }): void {
    for (const { sku, available } of stored) {
      const entry = this.written(sku);
      // A cached "no such product" stays one: stock does not make a product.
      if (entry?.view) this.entries.set(sku, { view: { ...entry.view, available } }, { noUpdateTTL: true });
    }
    for (const sku of unknown) this.evict(sku);
  }

  /** Forgets the SKU: the next read goes to the source. */
  evict(sku: string): void {
    this.written(sku);
    this.entries.delete(sku);
  }

  /** How many SKUs are held (for tests and health). */
  get size(): number {
    return this.entries.size;
  }

  /** A write of `sku` answered: a read in flight is not kept; the current entry, if any, to update. */
  private written(sku: string): Entry | undefined {
    this.inFlight.delete(sku);
    // peek: a write is not a read, so it does not make the entry recently used.
    return this.entries.peek(sku);
  }

  private settle(sku: string, read: Promise<ViewRead>): void {
    if (this.inFlight.get(sku) === read) this.inFlight.delete(sku);
  }
}

/**
 * `products` whose bulk writes keep `cache` exact: what succeeded is updated in it, what failed
 * (or a bulk that threw, whose effect is unknown) is evicted.
 */
export function cachedProducts(products: ProductRepository, cache: ProductViewCache): ProductRepository {
  return {
    search: (query) => products.search(query),
    get: (sku) => products.get(sku),
    ping: () => products.ping(),
    bulkUpsert: async (items: readonly Product[], options?: { refresh?: Refresh }): Promise<BulkResult> => {
      const result = await whileUnknown(products.bulkUpsert(items, options), cache, items.map((p) => p.sku));
      const failed = new Set(result.failed.map((f) => f.sku));
      cache.productsWritten({ upserted: items.filter((p) => !failed.has(p.sku)), unknown: [...failed] });
      return result;
    },
    bulkDelete: async (skus: readonly string[], options?: { refresh?: Refresh }): Promise<BulkResult> => {
      const result = await whileUnknown(products.bulkDelete(skus, options), cache, skus);
      const failed = new Set(result.failed.map((f) => f.sku));
      cache.productsWritten({ deleted: skus.filter((sku) => !failed.has(sku)), unknown: [...failed] });
      return result;
    },
  };
}

/**
 * `stock` whose bulk writes keep `cache` exact. A record dropped as stale leaves a newer one in
 * the index; the result counts those without naming them, so when there are any, every SKU of
 * the bulk is evicted (rare: only replays and publisher retries send records that are not newer).
 */
export function cachedStock(stock: StockRepository, cache: ProductViewCache): StockRepository {
  return {
    available: (skus) => stock.available(skus),
    bulkPut: async (records, options): Promise<StockPutResult> => {
      const result = await whileUnknown(stock.bulkPut(records, options), cache, records.map((r) => r.sku));
      const failed = new Set(result.failed.map((f) => f.sku));
      if (result.stale > 0) cache.stockWritten({ unknown: records.map((r) => r.sku) });
      else cache.stockWritten({ stored: records.filter((r) => !failed.has(r.sku)), unknown: [...failed] });
      return result;
    },
  };
}

/** A bulk that threw may have written some of its documents: evict them all, then rethrow. */
async function whileUnknown<T>(write: Promise<T>, cache: ProductViewCache, skus: readonly string[]): Promise<T> {
  try {
    return await write;
  } catch (err) {
    for (const sku of skus) cache.evict(sku);
    throw err;
  }
}
