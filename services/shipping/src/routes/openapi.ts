import { consumerHealthSchema } from '@oms/service-kit/kafka';
import {
  consumerHealthOperation,
  defineApi,
  errorResponse,
  getByKeyOperation,
  invalidInput,
  pagedListOperation,
  type ApiOperation,
  type OpenApiDocument,
} from '@oms/service-kit/openapi';
import {
  COMMAND_NAMES,
  commandBodySchemas,
  listShipmentsQuerySchema,
  replayReportSchema,
  shipmentPageSchema,
  shipmentPathSchema,
  shipmentViewSchema,
  type CommandName,
  type ShipmentView,
} from '../domain/shipment-api.js';
import { ORDER_FOLLOWER_COUNTERS } from '../kafka/order-follower.js';

const ORDER_ID = '9b2e4f6a-1c3d-4e5f-8a7b-6c5d4e3f2a1b';
const at = (minute: number) => `2026-01-15T10:${String(minute).padStart(2, '0')}:00.000Z`;
const eventId = (n: number) => `0d6f6a4e-7b1c-4f3a-9e2d-5c8b7a6f5e4${n}`;
const history: ShipmentView['history'] = [
  { version: 1, type: 'ShipmentRequested', at: at(31), eventId: eventId(1), data: { orderId: ORDER_ID } },
  { version: 2, type: 'Packed', at: at(40), eventId: eventId(2), data: {} },
  { version: 3, type: 'Dispatched', at: at(55), eventId: eventId(3), data: { carrier: 'DHL', trackingNumber: 'JD014600006281' } },
];
const dispatched: ShipmentView = {
  orderId: ORDER_ID,
  status: 'dispatched',
  carrier: 'DHL',
  trackingNumber: 'JD014600006281',
  cancelReason: null,
  version: 3,
  updatedAt: at(55),
  history,
};
const { history: _history, cancelReason: _reason, ...summary } = dispatched;

const noShipment = errorResponse('No shipment has been requested for this order (shipping requests one when the order reaches `orders-graph`).', {
  notFound: { summary: 'an order without a shipment', value: { error: 'not_found', message: `no shipment has been requested for order ${ORDER_ID}`, details: { orderId: ORDER_ID } } },
});

/** The body example, 409 and 422 of each command: what a client sees on the dispatched shipment above. */
const commandExamples: Record<CommandName, { summary: string; description: string; body: Record<string, unknown>; refused: string; status: string }> = {
  pack: { summary: 'Pack a requested shipment', description: 'Allowed when the shipment is requested.', body: { expectedVersion: 1 }, refused: 'cannot pack: the shipment was already dispatched with DHL (tracking JD014600006281)', status: 'dispatched' },
  dispatch: {
    summary: 'Hand a packed shipment to a carrier',
    description: 'Allowed when the shipment is packed; names the carrier and its tracking number.',
    body: { expectedVersion: 2, carrier: 'DHL', trackingNumber: 'JD014600006281' },
    refused: 'cannot dispatch: the shipment was already dispatched with DHL (tracking JD014600006281)',
    status: 'dispatched',
  },
  deliver: { summary: 'Record the delivery', description: 'Allowed when the shipment is dispatched. Delivered is final.', body: { expectedVersion: 3 }, refused: 'cannot deliver: the shipment was already delivered, and a delivered shipment takes no more commands', status: 'delivered' },
  cancel: {
    summary: 'Cancel a shipment not yet dispatched',
    description: 'Allowed when the shipment is requested or packed; a dispatched shipment is with the carrier. Cancelled is final.',
    body: { expectedVersion: 1, reason: 'customer asked' },
    refused: 'cannot cancel: the shipment was already dispatched with DHL (tracking JD014600006281) and is with the carrier',
    status: 'dispatched',
  },
};

function commandOperation(name: CommandName): ApiOperation {
  const e = commandExamples[name];
  return {
    method: 'post',
    path: `/shipments/:orderId/${name}`,
    tag: 'commands',
    summary: e.summary,
    description: `${e.description} \`expectedVersion\` is the version the client last read: the command is decided on it, so two clients acting on the same version cannot both win.`,
    request: { params: shipmentPathSchema, body: { schema: commandBodySchemas[name], description: 'The version the command is decided on, and the command\'s own fields.', example: e.body } },
    responses: {
      200: { description: 'Appended: the shipment after the command, with its whole history.', schema: shipmentViewSchema, example: dispatched },
      400: invalidInput(`${name} command`, 'expectedVersion', 'Invalid input: expected number, received undefined'),
      404: noShipment,
      409: errorResponse('`expectedVersion` is not the current version (another command came first); read the shipment again and retry.', {
        stale: {
          summary: 'a stale version',
          value: {
            error: 'conflict',
            message: `version conflict on ${ORDER_ID}: expected version 2, but it is at version 3; read it again and retry`,
            details: { streamId: ORDER_ID, expectedVersion: 2, currentVersion: 3 },
          },
        },
      }),
      422: errorResponse('The shipment\'s status does not allow the command; `details` says which statuses do.', {
        notAllowed: {
          summary: 'not allowed in this status',
          value: { error: 'unprocessable', message: e.refused, details: { code: 'not_allowed', command: name, status: e.status, allowedFrom: ['requested'] } },
        },
      }),
    },
  };
}

const followerHealthSchema = consumerHealthSchema(ORDER_FOLLOWER_COUNTERS);
/** `GET /health/orders`, served when the follower of topic `orders-graph` runs in this process. */
const followerOperation = consumerHealthOperation({
  path: '/health/orders',
  summary: "The order follower's state, lag and counters",
  description:
    'The Kafka consumer of topic `orders-graph` (enriched orders) that requests one shipment per order and cancels it when the order is cancelled. It does not count against `/health`: Kafka being down delays new shipments, never a command.',
  schema: followerHealthSchema,
  topic: 'orders-graph',
  groupId: 'shipping-orders',
  totals: { batches: 30, records: 120, requested: 110, cancelled: 4, unchanged: 6, 'not-cancellable': 0, ignored: 0, invalid: 0 },
});

/**
 * The shipping API (`GET /openapi.json`, `GET /docs`): routes/shipments.ts with the schemas it
 * validates with (domain/shipment-api.ts), and `/health/orders` when the app runs the order
 * follower. The contract test in routes/shipments.int.test.ts fails when they drift apart.
 */
export function shippingApi({ orderFollower }: { orderFollower: boolean }): OpenApiDocument {
  return defineApi({
    title: 'shipping',
    dependency: 'postgres',
    version: '0.1.0',
    description:
      'One event-sourced shipment per order, in PostgreSQL: every change is an event appended at the version the client read (optimistic concurrency), together with its outbox row, which Debezium publishes to topic `shipment-events` keyed by order id. Shipments are requested from topic `orders-graph`, never over HTTP.',
    schemas: { Shipment: shipmentViewSchema, ShipmentPage: shipmentPageSchema, ReplayReport: replayReportSchema },
    operations: [
      pagedListOperation({
        path: '/shipments',
        tag: 'shipments',
        summary: 'Shipments, most recently changed first',
        description: 'From the shipments projection (written in the same transaction as the events). `status` filters.',
        query: listShipmentsQuerySchema,
        page: shipmentPageSchema,
        item: summary,
        invalid: ['status', 'Invalid option: expected one of "requested"|"packed"|"dispatched"|"delivered"|"cancelled"'],
      }),
      getByKeyOperation({
        path: '/shipments/:orderId',
        tag: 'shipments',
        summary: "An order's shipment and its event history",
        description: 'The state is the fold of the events; `version` is what the next command names as `expectedVersion`.',
        params: shipmentPathSchema,
        found: 'The shipment and every event of it, oldest first.',
        schema: shipmentViewSchema,
        example: dispatched,
        invalid: ['orderId', 'Invalid UUID'],
        notFound: noShipment,
      }),
      ...COMMAND_NAMES.map(commandOperation),
      {
        method: 'post',
        path: '/projections/shipments/replay',
        tag: 'projections',
        summary: 'Rebuild the shipments projection from the events',
        description: 'Folds every stream again and replaces the projection rows; `equal` says whether the rebuilt rows are the live ones they replaced (the events are the truth, so the rebuilt rows stay either way). `oms shipping replay` calls it.',
        responses: { 200: { description: 'What the rebuild did.', schema: replayReportSchema, example: { streams: 120, events: 410, equal: true, differenceCount: 0, differences: [], durationMs: 85 } } },
      },
      ...(orderFollower ? [followerOperation] : []),
    ],
  });
}
