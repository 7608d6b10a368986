import { type ApiOperation, defineApi, errorResponse, getByKeyOperation, invalidInput, notFound, type OpenApiDocument, pagedListOperation } from '@oms/service-kit/openapi';
import { listOrdersQuerySchema, orderPageSchema, orderPathSchema, orderSchema, placeOrderSchema } from '../domain/order.js';
import { referencesHealthSchema } from '../kafka/reference-view.js';

const ORDER_ID = '9b2e4f6a-1c3d-4e5f-8a7b-6c5d4e3f2a1b';
const CUSTOMER_ID = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
const ADDRESS_ID = '7a1e5d2c-4b3f-4a8e-9c6d-0e1f2a3b4c5d';
const AT = '2026-01-15T10:31:00.000Z';

const newOrder = { customerId: CUSTOMER_ID, items: [{ sku: 'SKU-00004', quantity: 2, addressId: ADDRESS_ID }] };
const order = { id: ORDER_ID, ...newOrder, status: 'placed', cancelledAt: null, createdAt: AT, updatedAt: AT };
const CANCELLED_AT = '2026-01-15T11:02:00.000Z';
const cancelled = { ...order, status: 'cancelled', cancelledAt: CANCELLED_AT, updatedAt: CANCELLED_AT };

const referencesLoaded = {
  status: 'loaded',
  topics: ['customer', 'address', 'products'],
  sizes: { customers: 20, addresses: 40, skus: 50, skipped: 0 },
  checks: { customerHits: 118, customerCalls: 2, skuHits: 236, skuCalls: 1 },
  lastError: null,
};

/** `GET /health/references`, served when the reference view runs in this process. */
const referencesOperation: ApiOperation = {
  method: 'get',
  path: '/health/references',
  tag: 'service',
  summary: "The reference view's state and how checks were answered",
  description:
    "The orders service's own view of topics `customer`, `address` and `products`, read from the beginning by every instance: once loaded, POST /orders checks its customer, addresses and SKUs against it and asks the customers and products services only for what it has not seen. It does not count against `/health`: without it, the checks ask the services.",
  responses: {
    200: { description: 'Loaded: checks answer from the view.', schema: referencesHealthSchema, example: referencesLoaded },
    503: { description: 'Not loaded (starting, loading, stopped or crashed): checks ask the services.', schema: referencesHealthSchema, example: { ...referencesLoaded, status: 'starting', lastError: 'connect ECONNREFUSED 127.0.0.1:9092' } },
  },
};

/**
 * The orders API (`GET /openapi.json`, `GET /docs`): routes/orders.ts with the schemas it
 * validates with (domain/order.ts), and `/health/references` when the app runs the reference
 * view. The route-coverage test in app.int.test.ts fails when a route is served but not listed
 * here, or listed but not served.
 */
export function ordersApi({ references }: { references: boolean }): OpenApiDocument {
  return defineApi({
    title: 'orders',
    dependency: 'mariadb',
    version: '0.1.0',
    description:
      'Orders (MariaDB `orders`). Debezium publishes each order and its lines to topics `order` and `order_detail`; orders-stream joins them with customers, addresses and products into the GraphQL read model (orders-graph).',
    schemas: { Order: orderSchema, OrderPage: orderPageSchema, NewOrder: placeOrderSchema },
    operations: [
      {
        method: 'post',
        path: '/orders',
        tag: 'orders',
        summary: 'Place an order',
        description:
          'Checks that the customer exists, that every address is one of its addresses and that every SKU is in the catalogue (against its own view of the customers\' and products\' topics, asking the customers and products services for anything the view has not seen; see `/health/references`), reserves the stock of every line in the inventory under the new order id (all lines or none; retried with the same id when no answer comes), then writes the order and its lines in one transaction. The inventory confirms the reservation when it sees the order\'s row through CDC; a reservation whose order was never written expires and its stock returns.',
        request: { body: { schema: placeOrderSchema, description: 'The customer and 1 to 100 lines, each with its delivery address.', example: newOrder } },
        responses: {
          201: { description: 'Placed; `Location` is its URL.', schema: orderSchema, example: order, headers: { Location: 'The new order, `/orders/{id}`.' } },
          400: invalidInput('order', 'items.0.quantity', 'Too small: expected number to be >=1'),
          422: errorResponse('The order refers to things that do not exist (`details.missing` names every one), or the stock cannot cover it (`details.outOfStock`, the inventory\'s answer; nothing is written).', {
            outOfStock: {
              summary: 'not enough stock',
              value: { error: 'unprocessable', message: 'out of stock: SKU-00004 (wanted 5, available 2)', details: { outOfStock: [{ sku: 'SKU-00004', wanted: 5, available: 2 }] } },
            },
            unknownCustomer: {
              summary: 'an unknown customer and SKU',
              value: {
                error: 'unprocessable',
                message: `the order refers to unknown things: customer ${CUSTOMER_ID} does not exist; SKU(s) NOPE do not exist`,
                details: { missing: { customer: CUSTOMER_ID, skus: ['NOPE'] } },
              },
            },
            foreignAddress: {
              summary: "an address that is not the customer's",
              value: {
                error: 'unprocessable',
                message: `the order refers to unknown things: address(es) ${ADDRESS_ID} do not exist or are not the customer's`,
                details: { missing: { addresses: [ADDRESS_ID] } },
              },
            },
          }),
          503: errorResponse('The customers, products or inventory service (or MariaDB) cannot answer; retry after `Retry-After` seconds when given.', {
            dependency: {
              summary: 'the products service is down',
              value: { error: 'dependency_unavailable', message: 'the products service is unavailable: GET http://127.0.0.1:3002/products/SKU-00004 got no answer', details: { dependency: 'products' } },
            },
            inventory: {
              summary: 'the inventory service is down',
              value: {
                error: 'dependency_unavailable',
                message: 'the inventory service is unavailable: POST http://127.0.0.1:3005/reservations failed: ECONNREFUSED (3 attempts)',
                details: { dependency: 'inventory' },
              },
            },
          }),
        },
      },
      pagedListOperation({
        path: '/orders',
        tag: 'orders',
        summary: "A customer's orders",
        description: 'Newest first, paged.',
        query: listOrdersQuerySchema,
        page: orderPageSchema,
        item: order,
        invalid: ['customerId', 'Invalid UUID'],
      }),
      getByKeyOperation({
        path: '/orders/:id',
        tag: 'orders',
        summary: 'Get an order',
        params: orderPathSchema,
        found: 'The order as placed.',
        schema: orderSchema,
        example: order,
        invalid: ['id', 'Invalid UUID'],
        notFound: notFound('No order has this id.', 'order', ORDER_ID),
      }),
      {
        method: 'post',
        path: '/orders/:id/cancel',
        tag: 'orders',
        summary: 'Cancel an order',
        description:
          'Marks the order cancelled. Its stock returns when the inventory sees the change through CDC, and GraphQL shows the order cancelled once orders-stream has re-emitted it.',
        request: { params: orderPathSchema },
        responses: {
          200: { description: 'The order, cancelled.', schema: orderSchema, example: cancelled },
          400: invalidInput('path', 'id', 'Invalid UUID'),
          404: notFound('No order has this id.', 'order', ORDER_ID),
          409: errorResponse('The order is already cancelled; nothing changed.', {
            cancelled: {
              summary: 'cancelled twice',
              value: { error: 'conflict', message: `order ${ORDER_ID} is already cancelled (at ${CANCELLED_AT})`, details: { order: ORDER_ID, cancelledAt: CANCELLED_AT } },
            },
          }),
        },
      },
      ...(references ? [referencesOperation] : []),
    ],
  });
}
