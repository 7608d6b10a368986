import { validate } from '@oms/service-kit';
import { Router } from 'express';
import type { Inventory } from '../domain/inventory-service.js';
import { restockSchema, skuPathSchema, stockQuerySchema } from '../domain/inventory.js';

/** `GET /inventory/:sku`, `GET /inventory?skus=a,b`, `PUT /inventory/:sku {onHand}`. */
export function inventoryRouter(inventory: Inventory): Router {
  const router = Router();

  router.get('/inventory', async (req, res) => {
    const { skus } = validate(stockQuerySchema, req.query, 'query');
    res.json({ items: await inventory.stocks(skus) });
  });

  router.get('/inventory/:sku', async (req, res) => {
    const { sku } = validate(skuPathSchema, req.params, 'path');
    res.json(await inventory.stock(sku));
  });

  router.put('/inventory/:sku', async (req, res) => {
    const { sku } = validate(skuPathSchema, req.params, 'path');
    const { onHand } = validate(restockSchema, req.body, 'stock');
    res.json(await inventory.restock(sku, onHand));
  });

  return router;
}
