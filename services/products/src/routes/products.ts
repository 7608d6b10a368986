import { NotFoundError, validate } from '@oms/service-kit';
import { Router } from 'express';
import { productSearchSchema, skuParamSchema } from '../domain/product.js';
import type { ProductRepository } from '../data/product-repository.js';

/** `GET /products` (search) and `GET /products/:sku`. */
export function productRoutes(products: ProductRepository): Router {
  const router = Router();

  router.get('/products', async (req, res) => {
    const query = validate(productSearchSchema, req.query, 'query');
    res.json(await products.search(query));
  });

  router.get('/products/:sku', async (req, res) => {
    const { sku } = validate(skuParamSchema, req.params, 'path');
    const product = await products.get(sku);
    if (!product) throw new NotFoundError('product', sku);
    res.json(product);
  });

  return router;
}
