import { NotFoundError, validate, type Logger } from '@oms/service-kit';
import { Router } from 'express';
import { productSearchSchema, skuParamSchema } from '../domain/product.js';
import { withAvailability } from '../domain/stock.js';
import type { ProductRepository } from '../data/product-repository.js';
import type { ProductViewSource } from '../data/product-views.js';
import type { StockRepository } from '../data/stock-repository.js';

/**
 * `GET /products` (search) and `GET /products/:sku`, each product with `available` beside it.
 * Stock is a convenience here (the inventory is the authority, and orders check with it): when
 * it cannot be read, products are still served, with `available: null`, rather than failing the
 * catalogue — which the orders service's reference checks depend on. A single product is read
 * from `views` (the read cache in a running service), a search from Elasticsearch.
 */
export function productRoutes(products: Pick<ProductRepository, 'search'>, stock: Pick<StockRepository, 'available'>, views: ProductViewSource, logger: Logger): Router {
  const router = Router();

  const availableOf = (skus: readonly string[]): Promise<Map<string, number>> =>
    stock.available(skus).catch((err: unknown) => {
      logger.warn({ err }, 'could not read stock; products are served without it');
      return new Map<string, number>();
    });

  router.get('/products', async (req, res) => {
    const query = validate(productSearchSchema, req.query, 'query');
    const page = await products.search(query);
    res.json({ ...page, items: withAvailability(page.items, await availableOf(page.items.map((p) => p.sku))) });
  });

  router.get('/products/:sku', async (req, res) => {
    const { sku } = validate(skuParamSchema, req.params, 'path');
    const { view, stockError } = await views.read(sku);
    if (stockError) logger.warn({ err: stockError }, 'could not read stock; the product is served without it');
    if (!view) throw new NotFoundError('product', sku);
    res.json(view);
  });

  return router;
}
