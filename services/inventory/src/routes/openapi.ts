import { consumerHealthSchema } from '@oms/service-kit/kafka';
import { consumerHealthOperation, defineApi, errorResponse, getByKeyOperation, invalidInput, notFound, type OpenApiDocument } from '@oms/service-kit/openapi';
import {
  orderIdPathSchema,
  reservationSchema,
  reserveSchema,
  restockHeadersSchema,
  restockSchema,
  skuPathSchema,
  stockListSchema,
  stockQuerySchema,
  stockSchema,
} from '../domain/inventory.js';
import { ORDER_FOLLOWER_COUNTERS } from '../kafka/order-follower.js';

const ORDER_ID = '9b2e4f6a-1c3d-4e5f-8a7b-6c5d4e3f2a1b';
const stock = { sku: 'SKU-00004', onHand: 12, reserved: 2, available: 10 };
const lines = [{ sku: 'SKU-00004', quantity: 2 }];
const reservation = { orderId: ORDER_ID, state: 'pending', lines, createdAt: '2026-01-15T10:31:00.000Z', updatedAt: '2026-01-15T10:31:00.000Z', expiresAt: '2026-01-15T10:36:00.000Z' };

const unknownSku = errorResponse('A SKU is not in the products catalogue; `details.skus` names every one.', {
  unknown: { summary: 'an unknown SKU', value: { error: 'not_found', message: 'SKU NOPE-1 not found', details: { skus: ['NOPE-1'] } } },
});
const productsDown = errorResponse('Redis or the products service (asked whether a SKU is catalogued) cannot answer; retry after `Retry-After` seconds.', {
  dependency: {
    summary: 'the products service is down',
    value: { error: 'dependency_unavailable', message: 'the products service is unavailable: GET http://127.0.0.1:3002/products/SKU-00004 got no answer', details: { dependency: 'products' } },
  },
});

const followerHealthSchema = consumerHealthSchema(ORDER_FOLLOWER_COUNTERS);
/** `GET /health/orders`, served when the follower of topic `order` runs in this process. */
const followerOperation = consumerHealthOperation({
  path: '/health/orders',
  summary: "The order follower's state, lag and counters",
  description:
    'The Kafka consumer of topic `order` (CDC of the orders service) that confirms a reservation when its order\'s row appears and releases it when the row turns cancelled. `totals.oversold` counts orders whose late confirm found the stock sold. It does not count against `/health`: Kafka being down delays confirms, never a reservation.',
  schema: followerHealthSchema,
  topic: 'order',
  groupId: 'inventory-orders',
  totals: { batches: 30, records: 120, confirmed: 110, released: 6, unchanged: 4, unknown: 0, oversold: 0, ignored: 0, invalid: 0 },
});

/**
 * The inventory API (`GET /openapi.json`, `GET /docs`): routes/inventory.ts and
 * routes/reservations.ts with the schemas they validate with (domain/inventory.ts), and
 * `/health/orders` when the app runs the order follower. The
 * route-coverage test in app.int.test.ts fails when they drift apart.
 */
export function inventoryApi({ orderFollower }: { orderFollower: boolean }): OpenApiDocument {
  return defineApi({
    title: 'inventory',
    dependency: 'redis',
    version: '0.1.0',
    description:
      'Stock per SKU and reservations per order, in Redis. Every change is appended to an outbox and published to the compacted topic `inventory`, keyed by SKU. Reservations are confirmed or released by the order\'s own changes (CDC), never over HTTP.',
    schemas: { Stock: stockSchema, StockList: stockListSchema, Reservation: reservationSchema, NewReservation: reserveSchema },
    operations: [
      {
        method: 'get',
        path: '/inventory',
        tag: 'stock',
        summary: "Several SKUs' stock",
        description: '`skus` is a comma-separated list (at most 100, duplicates dropped); the answer keeps the order asked. A catalogued SKU that never had stock counts zero.',
        request: { query: stockQuerySchema },
        responses: {
          200: { description: 'The stock of each SKU asked.', schema: stockListSchema, example: { items: [stock] } },
          400: invalidInput('query', 'skus', 'name at least one SKU'),
          404: unknownSku,
        },
      },
      getByKeyOperation({
        path: '/inventory/:sku',
        tag: 'stock',
        summary: "A SKU's stock",
        description: '`available = onHand − reserved`. A catalogued SKU that never had stock counts zero.',
        params: skuPathSchema,
        found: 'The stock.',
        schema: stockSchema,
        example: stock,
        invalid: ['sku', 'Too big: expected string to have <=128 characters'],
        notFound: unknownSku,
      }),
      {
        method: 'put',
        path: '/inventory/:sku',
        tag: 'stock',
        summary: "Set a SKU's count on hand (restock)",
        description: 'Sets, does not add. With `If-None-Match: *` it sets the count only for a SKU without stock (a 412 otherwise, nothing changed): a first stocking can be rerun safely.',
        request: { params: skuPathSchema, headers: restockHeadersSchema, body: { schema: restockSchema, description: 'The count now on hand.', example: { onHand: 12 } } },
        responses: {
          200: { description: 'The stock as it is now.', schema: stockSchema, example: stock },
          400: invalidInput('stock', 'onHand', 'Too small: expected number to be >=0'),
          404: unknownSku,
          409: errorResponse('The count is below what pending reservations hold.', {
            belowReserved: { summary: 'below the reserved count', value: { error: 'conflict', message: 'cannot set SKU-00004 on hand to 1: 2 unit(s) are reserved by pending orders', details: { sku: 'SKU-00004', onHand: 1, reserved: 2 } } },
          }),
          412: errorResponse('`If-None-Match: *` and the SKU has stock already: nothing changed.', {
            exists: { summary: 'the SKU has stock already', value: { error: 'precondition_failed', message: 'SKU-00004 has stock already (12 on hand, 2 reserved); it was left as it is', details: { stock } } },
          }),
          503: productsDown,
        },
      },
      {
        method: 'post',
        path: '/reservations',
        tag: 'reservations',
        summary: "Reserve an order's lines",
        description: 'All lines or none. Idempotent by `orderId`: a retry with the same lines answers 200 with the same reservation. A pending reservation expires (its units return) unless the order shows up on topic `order` in time.',
        request: { body: { schema: reserveSchema, description: 'The order id and its lines (summed per SKU).', example: { orderId: ORDER_ID, lines } } },
        responses: {
          200: { description: 'A retry: the reservation made before.', schema: reservationSchema, example: reservation, headers: { Location: '`/reservations/{orderId}`.' } },
          201: { description: 'Reserved now; `Location` is its URL.', schema: reservationSchema, example: reservation, headers: { Location: '`/reservations/{orderId}`.' } },
          400: invalidInput('reservation', 'lines', 'Too small: expected array to have >=1 items'),
          409: errorResponse('The order id holds a reservation for other lines, or one that was released or expired.', {
            otherLines: { summary: 'other lines under the same order id', value: { error: 'conflict', message: `order ${ORDER_ID} already holds a reservation for other lines`, details: { reservation } } },
            closed: {
              summary: 'the reservation expired',
              value: { error: 'conflict', message: `the reservation for order ${ORDER_ID} was expired; place the order again`, details: { reservation: { ...reservation, state: 'expired' } } },
            },
          }),
          422: errorResponse('Not enough stock for some lines; `details.outOfStock` names each, and nothing was reserved.', {
            outOfStock: {
              summary: 'short stock',
              value: { error: 'unprocessable', message: 'out of stock: SKU-00004 (wanted 5, available 2)', details: { outOfStock: [{ sku: 'SKU-00004', wanted: 5, available: 2 }] } },
            },
          }),
        },
      },
      getByKeyOperation({
        path: '/reservations/:orderId',
        tag: 'reservations',
        summary: "An order's reservation",
        params: orderIdPathSchema,
        found: 'The reservation, in whatever state it is.',
        schema: reservationSchema,
        example: reservation,
        invalid: ['orderId', 'Invalid UUID'],
        notFound: notFound('No reservation for this order id.', 'reservation', ORDER_ID, 'no reservation'),
      }),
      ...(orderFollower ? [followerOperation] : []),
    ],
  });
}
