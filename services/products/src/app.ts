import { createBaseApp, finishApp, type Logger } from '@oms/service-kit';
import type { Express } from 'express';
import type { ProductRepository } from './data/product-repository.js';
import { productRoutes } from './routes/products.js';

/** What the products app needs; tests pass a repository over a throw-away index. */
export interface ProductsAppDeps {
  logger: Logger;
  products: ProductRepository;
}

/** Builds the products HTTP app. Never listens: `server.ts` (or a test) does. */
export function createApp({ logger, products }: ProductsAppDeps): Express {
  const app = createBaseApp({ logger, health: [{ name: 'elasticsearch', check: () => products.ping() }] });
  app.use(productRoutes(products));
  return finishApp(app, logger);
}
