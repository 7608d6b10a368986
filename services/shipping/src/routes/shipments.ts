import { validate } from '@oms/service-kit';
import { Router } from 'express';
import { changeShipment, getShipment, type ShipmentStore } from '../domain/shipping.js';
import {
  COMMAND_NAMES,
  commandBodySchemas,
  listShipmentsQuerySchema,
  shipmentPathSchema,
  toCommand,
  toReplayReportView,
  toShipmentView,
  toSummaryView,
  type ShipmentPage,
} from '../domain/shipment-api.js';

/**
 * The shipping API. Domain errors carry their HTTP meaning (404 no shipment, 409 stale
 * `expectedVersion`, 422 a command the state does not allow), so handlers only validate,
 * delegate and shape the answer.
 */
export function shipmentsRouter(store: ShipmentStore): Router {
  const router = Router();

  router.get('/shipments', async (req, res) => {
    const query = validate(listShipmentsQuerySchema, req.query, 'query');
    const { items, total } = await store.list(query);
    const page: ShipmentPage = { items: items.map(toSummaryView), total, limit: query.limit, offset: query.offset };
    res.json(page);
  });

  router.get('/shipments/:orderId', async (req, res) => {
    const { orderId } = validate(shipmentPathSchema, req.params, 'path');
    res.json(toShipmentView(await getShipment(store, orderId)));
  });

  for (const name of COMMAND_NAMES) {
    router.post(`/shipments/:orderId/${name}`, async (req, res) => {
      const { orderId } = validate(shipmentPathSchema, req.params, 'path');
      // A missing body (no content-type) is `undefined`: validate it as an empty object so the
      // 400 names the missing fields.
      const body = validate(commandBodySchemas[name], req.body ?? {}, `${name} command`);
      const { command, expectedVersion } = toCommand(name, body);
      res.json(toShipmentView(await changeShipment(store, orderId, command, expectedVersion)));
    });
  }

  // `oms shipping replay` calls this: the CLI talks to endpoints, never to a service's database.
  router.post('/projections/shipments/replay', async (_req, res) => {
    res.json(toReplayReportView(await store.replayProjection()));
  });

  return router;
}
