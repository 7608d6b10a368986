import { NotFoundError, validate } from '@oms/service-kit';
import { Router } from 'express';
import type { Inventory } from '../domain/inventory-service.js';
import { orderIdPathSchema, reserveSchema } from '../domain/inventory.js';

/**
 * `POST /reservations {orderId, lines}`: 201 when it reserved now, 200 with the same reservation
 * when it is a retry. Confirm and release are not HTTP routes: they follow the order's own
 * changes (CDC), never a caller's say-so.
 */
export function reservationsRouter(inventory: Inventory): Router {
  const router = Router();

  router.post('/reservations', async (req, res) => {
    const input = validate(reserveSchema, req.body, 'reservation');
    const { reservation, created } = await inventory.reserve(input);
    res.status(created ? 201 : 200).location(`/reservations/${reservation.orderId}`).json(reservation);
  });

  router.get('/reservations/:orderId', async (req, res) => {
    const { orderId } = validate(orderIdPathSchema, req.params, 'path');
    const reservation = await inventory.reservation(orderId);
    if (!reservation) throw new NotFoundError('reservation', orderId);
    res.json(reservation);
  });

  return router;
}
