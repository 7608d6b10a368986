import { buildSchema, GraphQLError, type GraphQLSchema } from './graphql-lib.js';
import type { OrderRepository } from '../data/order-repository.js';
import { parseOrderId, parseOrdersArgs } from '../domain/orders-args.js';

/**
 * The public contract of orders-graph (docs/architecture.md, "APIs"), in GraphQL. The types
 * come from the zod schemas in domain/order.ts and domain/orders-args.ts; graphql-schema.test.ts
 * fails when this SDL and those schemas disagree.
 */
export const typeDefs = /* GraphQL */ `
  type Query {
    "The order with this id, or null when there is none."
    order(id: ID!): Order
    "Orders newest first (createdAt desc, then id). Dates are ISO: a date-only toDate includes that whole UTC day."
    orders(customer: CustomerFilter, fromDate: String, toDate: String, limit: Int = 20, offset: Int = 0): OrderPage!
  }

  "Customer filters: name is a case-insensitive partial match, email an exact case-insensitive match."
  input CustomerFilter {
    name: String
    email: String
  }

  type OrderPage {
    items: [Order!]!
    "How many orders match the filters, ignoring limit and offset."
    total: Int!
  }

  type Order {
    id: ID!
    customer: Customer
    items: [OrderItem!]!
    total: Float!
    "placed, or cancelled (then its stock went back to the inventory)."
    status: String!
    "When it was cancelled (ISO 8601, UTC); null while it is placed."
    cancelledAt: String
    "ISO 8601, UTC."
    createdAt: String
    "ISO 8601, UTC."
    updatedAt: String
    "Its shipment (shipping's events through topic shipment-events); null until the first one arrives."
    shipment: Shipment
  }

  type Shipment {
    "requested, packed, dispatched, delivered or cancelled."
    status: String!
    carrier: String
    trackingNumber: String
    "The version of its newest event."
    version: Int!
    "Every event, oldest first."
    history: [ShipmentEvent!]!
  }

  type ShipmentEvent {
    version: Int!
    "ShipmentRequested, Packed, Dispatched, Delivered or Cancelled."
    type: String!
    "ISO 8601, UTC."
    at: String!
  }

  type Customer {
    id: ID!
    name: String
    lastName: String
    email: String
  }

  type OrderItem {
    sku: String!
    description: String
    unitPrice: Float
    quantity: Int!
    lineTotal: Float
    deliveryAddress: DeliveryAddress
  }

  type DeliveryAddress {
    id: ID
    streetType: String
    streetName: String
    streetNumber: String
    buildingNumber: String
    departmentNumber: String
    reference: String
    latitude: Float
    longitude: Float
  }
`;

/** A mistake in the request's arguments; its message and details are safe to show the caller. */
export class UserInputError extends GraphQLError {
  constructor(message: string, details?: unknown) {
    super(message, { extensions: { code: 'BAD_USER_INPUT', details } });
    this.name = 'UserInputError';
  }
}

/** The executable schema and its root resolvers, bound to a repository. */
export interface GraphqlApi {
  schema: GraphQLSchema;
  rootValue: Record<string, unknown>;
}

/**
 * Builds the schema from {@link typeDefs}. Root resolvers return objects already shaped like
 * the SDL (see `toOrder`; an `OrderPage`'s fields are functions), so the default field
 * resolvers do the rest.
 */
export function createGraphqlApi(orders: OrderRepository): GraphqlApi {
  return {
    schema: buildSchema(typeDefs),
    rootValue: {
      order: ({ id }: { id: string }) => {
        const parsed = parseOrderId(id);
        if (!parsed.ok) throw new UserInputError(parsed.message, parsed.details);
        return orders.findById(parsed.id);
      },
      orders: (args: unknown) => {
        const parsed = parseOrdersArgs(args);
        if (!parsed.ok) throw new UserInputError(parsed.message, parsed.details);
        // Each field runs its own statement only when asked for: a client paging through
        // `items` skips the count, one asking only for `total` skips the page.
        const { filter } = parsed;
        return { items: () => orders.findPage(filter), total: () => orders.count(filter) };
      },
    },
  };
}
