import { createBaseApp, finishApp, type DependencyState, type HealthCheck, type Logger } from '@oms/service-kit';
import { serveApiDocs } from '@oms/service-kit/openapi';
import type { Express } from 'express';
import type { ProductRepository } from './data/product-repository.js';
import type { IndexerHealth } from './indexer/product-indexer.js';
import { productsApi } from './routes/openapi.js';
import { productRoutes } from './routes/products.js';

/** The indexer as `/health` sees it; a test can pass any object with this shape. */
export interface IndexerProbe {
  readonly ready: boolean;
  health(): IndexerHealth;
}

/** What the products app needs; tests pass a repository over a throw-away index. */
export interface ProductsAppDeps {
  logger: Logger;
  products: ProductRepository;
  /** Absent when INDEXER_ENABLED=false: health then depends on Elasticsearch alone. */
  indexer?: IndexerProbe;
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
 */
export function createApp({ logger, products, indexer, dependencies }: ProductsAppDeps): Express {
  const health: HealthCheck[] = [{ name: 'elasticsearch', check: () => products.ping() }];
  if (indexer) health.push({ name: 'indexer', check: async () => indexerCheck(indexer) });
  const app = createBaseApp({ logger, health, dependencies });
  if (indexer) {
    app.get('/health/indexer', (_req, res) => {
      res.status(indexer.ready ? 200 : 503).json(indexer.health());
    });
  }
  app.use(productRoutes(products));
  serveApiDocs(app, productsApi({ indexer: indexer !== undefined }));
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
