import { validate } from '@oms/service-kit';
import { Router } from 'express';
import type { Inventory } from '../domain/inventory-service.js';
import { restockHeadersSchema, restockSchema, skuPathSchema, stockQuerySchema } from '../domain/inventory.js';

/** `GET /inventory/:sku`, `GET /inventory?skus=a,b`, `PUT /inventory/:sku {onHand}` (optionally `If-None-Match: *`). */
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
    const conditions = validate(restockHeadersSchema, { 'if-none-match': req.get('if-none-match') }, 'headers');
    res.json(await inventory.restock(sku, onHand, { onlyIfAbsent: conditions['if-none-match'] === '*' }));
  });

  return router;
}
