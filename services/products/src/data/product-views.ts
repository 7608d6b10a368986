import { DependencyUnavailableError } from '@oms/service-kit';
import type { Client, estypes } from '@elastic/elasticsearch';
import type { Product } from '../domain/product.js';
import type { ProductView } from '../domain/stock.js';

/**
 * One read of what `GET /products/:sku` serves: the product with `available` beside it, or
 * `null` when there is no such product. When the stock could not be read, `available` is null
 * and `stockError` says why: the product is still served (see the route), but such a read is
 * never cached.
 */
export interface ViewRead {
  view: ProductView | null;
  stockError?: Error;
}

/** Where `GET /products/:sku` reads from: Elasticsearch itself, or the read cache in front of it. */
export interface ProductViewSource {
  read(sku: string): Promise<ViewRead>;
}

/**
 * {@link ProductViewSource} over Elasticsearch: one `mget` naming both indexes (the product and
 * its stock record, both by SKU), so a read is one round trip. `mget` is realtime like `get`:
 * it sees a write as soon as the write's bulk has answered, refreshed or not.
 */
export class ElasticsearchProductViews implements ProductViewSource {
  constructor(
    private readonly client: Client,
    private readonly productIndex: string,
    private readonly stockIndex: string,
  ) {}

  async read(sku: string): Promise<ViewRead> {
    const res = await this.client.mget<Partial<Product & { available: number }>>({
      docs: [
        { _index: this.productIndex, _id: sku },
        { _index: this.stockIndex, _id: sku, _source: ['available'] },
      ],
    });
    const [productDoc, stockDoc] = res.docs;
    const product = docSource(productDoc);
    // Elasticsearch answered, but not for this document (a shard not available): like a 503 of a get.
    if ('error' in product) throw new DependencyUnavailableError('elasticsearch', `reading product ${sku}: ${product.error}`);
    if (product.source === undefined) return { view: null };
    const stock = docSource(stockDoc);
    const stockError = 'error' in stock ? new Error(`reading stock of ${sku}: ${stock.error}`) : undefined;
    const available = 'source' in stock && typeof stock.source?.available === 'number' ? stock.source.available : null;
    return { view: { ...(product.source as Product), available }, ...(stockError ? { stockError } : {}) };
  }
}

/**
 * The `_source` of one `mget` answer, `undefined` when the document or its whole index is
 * missing (an index not created yet holds nothing), or the error Elasticsearch gave for it.
 */
function docSource<T>(doc: estypes.MgetResponseItem<T> | undefined): { source: T | undefined } | { error: string } {
  if (doc === undefined) return { error: 'no answer for the document' };
  if ('error' in doc) {
    if (doc.error.type === 'index_not_found_exception') return { source: undefined };
    return { error: `${doc.error.type}: ${doc.error.reason ?? ''}`.trim() };
  }
  return { source: doc.found ? doc._source : undefined };
}
