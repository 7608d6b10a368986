import { NotFoundError, validate } from '@oms/service-kit';
import { Router } from 'express';
import { listOrdersQuerySchema, orderPathSchema, placeOrderSchema, type OrderPage } from '../domain/order.js';
import { cancelOrder } from '../domain/cancel-order.js';
import { placeOrder, type PlaceOrderDeps } from '../domain/place-order.js';

/**
 * The orders API (docs/architecture.md, "APIs"). Domain errors already carry their HTTP status
 * (404, 409, 422, 503), so handlers only validate, delegate and turn a miss into a 404.
 */
export function ordersRouter(deps: PlaceOrderDeps): Router {
  const router = Router();

  router.post('/orders', async (req, res) => {
    const input = validate(placeOrderSchema, req.body, 'order');
    const order = await placeOrder(input, deps);
    res.status(201).location(`/orders/${order.id}`).json(order);
  });

  router.get('/orders', async (req, res) => {
    const query = validate(listOrdersQuerySchema, req.query, 'query');
    const { items, total } = await deps.orders.listByCustomer(query.customerId, query);
    const page: OrderPage = { items, total, limit: query.limit, offset: query.offset };
    res.json(page);
  });

  router.get('/orders/:id', async (req, res) => {
    const { id } = validate(orderPathSchema, req.params, 'path');
    const order = await deps.orders.findById(id);
    if (!order) throw new NotFoundError('order', id);
    res.json(order);
  });

  router.post('/orders/:id/cancel', async (req, res) => {
    const { id } = validate(orderPathSchema, req.params, 'path');
    res.json(await cancelOrder(id, deps));
  });

  return router;
}
