/**
 * The CLI as a client of our own services (seed and smoke): one HTTP client per service and
 * zod schemas for the parts of their answers the CLI reads. Only what is read is declared,
 * and unknown keys pass, so a service may add fields without breaking the CLI.
 */
import { z } from 'zod';
import type { Endpoints } from './endpoints.js';
import { httpClient, type HttpClient } from './http.js';

export interface ServiceClients {
  customers: HttpClient;
  products: HttpClient;
  orders: HttpClient;
  ordersGraph: HttpClient;
  inventory: HttpClient;
  shipping: HttpClient;
}

export function serviceClients(endpoints: Endpoints): ServiceClients {
  const s = endpoints.services;
  return {
    customers: httpClient({ service: 'the customers service', baseUrl: s.customers }),
    products: httpClient({ service: 'the products service', baseUrl: s.products }),
    orders: httpClient({ service: 'the orders service', baseUrl: s.orders }),
    ordersGraph: httpClient({ service: 'the orders-graph service', baseUrl: s.ordersGraph }),
    inventory: httpClient({ service: 'the inventory service', baseUrl: s.inventory }),
    shipping: httpClient({ service: 'the shipping service', baseUrl: s.shipping }),
  };
}

export const customerSchema = z.object({ id: z.string(), email: z.string(), addresses: z.array(z.object({ id: z.string() })) });
export type CustomerResource = z.infer<typeof customerSchema>;

/** GET /customers?email= (the list may omit addresses: the single resource has them). */
export const customerPageSchema = z.object({ items: z.array(z.object({ id: z.string(), email: z.string() })) });

export const productSchema = z.object({ sku: z.string(), price: z.number() });
export const productPageSchema = z.object({ items: z.array(productSchema) });

export const orderPageSchema = z.object({ total: z.number().int().optional(), items: z.array(z.unknown()) });

/** GET /inventory?skus= */
export const stockListSchema = z.object({ items: z.array(z.object({ sku: z.string(), available: z.number().int() })) });
/** GET /reservations/:orderId: its state, and when it was made and last changed (the inventory's clock). */
export const reservationSchema = z.object({ state: z.string(), createdAt: z.string(), updatedAt: z.string() });
export const placedOrderSchema = z.object({ id: z.string(), createdAt: z.string().optional() });

/** The enriched order as GraphQL returns it (what smoke checks). */
export const graphOrderSchema = z.object({
  id: z.string(),
  total: z.number(),
  customer: z.object({ id: z.string(), email: z.string() }).nullable(),
  items: z.array(z.object({ sku: z.string(), unitPrice: z.number(), quantity: z.number(), deliveryAddress: z.object({ id: z.string() }).nullable() })),
});
export type GraphOrder = z.infer<typeof graphOrderSchema>;

/** `{data: {order: {shipment}}}`: the shipment hop of smoke (null until shipping's first event reached the read model). */
export const shipmentQueryAnswer = z.object({
  data: z.object({ order: z.object({ shipment: z.object({ status: z.string(), history: z.array(z.object({ type: z.string(), at: z.string() })) }).nullable() }).nullable() }).nullable().optional(),
  errors: z.unknown().optional(),
});

/** `{data: {order}}` of the `order(id)` query; `order` is null until the read model has it. */
export const orderQueryAnswer = z.object({ data: z.object({ order: graphOrderSchema.nullable() }).nullable().optional(), errors: z.unknown().optional() });
