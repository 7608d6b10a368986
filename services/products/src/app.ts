import { createBaseApp, finishApp, type DependencyState, type HealthCheck, type Logger } from '@oms/service-kit';
import { serveApiDocs } from '@oms/service-kit/openapi';
import type { Express } from 'express';
import type { ProductRepository } from './data/product-repository.js';
import type { ProductViewSource } from './data/product-views.js';
import type { StockRepository } from './data/stock-repository.js';
import type { IndexerHealth } from './indexer/product-indexer.js';
import { productsApi } from './routes/openapi.js';
import { productRoutes } from './routes/products.js';

/** An indexer as `/health` sees it; a test can pass any object with this shape. */
export interface IndexerProbe {
  readonly ready: boolean;
  health(): IndexerHealth;
}

/** What the products app needs; tests pass a repository over a throw-away index. */
export interface ProductsAppDeps {
  logger: Logger;
  products: ProductRepository;
  /** Where `available` of a search comes from. */
  stock: Pick<StockRepository, 'available'>;
  /** Where `GET /products/:sku` reads a product with its stock: the read cache in a running service. */
  views: ProductViewSource;
  /** Absent when INDEXER_ENABLED=false: health then depends on Elasticsearch alone. */
  indexer?: IndexerProbe;
  /** The indexer of the inventory's stock records; absent when INDEXER_ENABLED=false. */
  stockIndexer?: IndexerProbe;
  /** The start-up state `/health` reports (server.ts); absent, the app counts as started. */
  dependencies?: DependencyState;
}

/**
 * Builds the products HTTP app. Never listens: `server.ts` (or a test) does.
 *
 * `GET /health` is 200 only when Elasticsearch answers and, if the indexer runs, it is in its
 * consumer group and fetching: `oms seed` waits for that 200 before publishing, so a 200 must
 * mean "what you publish now gets indexed". Lag does not count against health (a backlog at
 * start is normal). The indexer's state and lag are at `GET /health/indexer` (200/503 alike).
 * The stock indexer's are at `GET /health/stock`; it does not count against `/health`: stale
 * or missing stock makes `available` null or late, never the catalogue unusable.
 */
export function createApp({ logger, products, stock, views, indexer, stockIndexer, dependencies }: ProductsAppDeps): Express {
  const health: HealthCheck[] = [{ name: 'elasticsearch', check: () => products.ping() }];
  if (indexer) health.push({ name: 'indexer', check: async () => indexerCheck(indexer) });
  const app = createBaseApp({ logger, health, dependencies });
  for (const [path, probe] of [
    ['/health/indexer', indexer],
    ['/health/stock', stockIndexer],
  ] as const) {
    if (probe) app.get(path, (_req, res) => void res.status(probe.ready ? 200 : 503).json(probe.health()));
  }
  app.use(productRoutes(products, stock, views, logger));
  serveApiDocs(app, productsApi({ indexer: indexer !== undefined, stockIndexer: stockIndexer !== undefined }));
  return finishApp(app, logger);
}

/** Throws with the state (and the last error) so the failing `/health` entry says why. */
function indexerCheck(indexer: IndexerProbe): IndexerHealth {
  const state = indexer.health();
  if (!indexer.ready) {
    throw new Error(`indexer is ${state.status}${state.lastError ? `: ${state.lastError}` : ''}`);
  }
  return state;
}
