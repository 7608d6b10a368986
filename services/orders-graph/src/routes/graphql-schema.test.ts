import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { customerSchema, deliveryAddressSchema, orderItemSchema, orderPageSchema, orderSchema } from '../domain/order.js';
import { ordersArgsSchema } from '../domain/orders-args.js';
import { shipmentEventSchema, shipmentSchema } from '../domain/shipment.js';
import { buildSchema, isInputObjectType, isListType, isNonNullType, isObjectType, type GraphQLType } from './graphql-lib.js';
import { typeDefs } from './graphql-schema.js';

// The zod schemas are the source of the service's types; the SDL must say the same. Both sides
// are reduced to one notation: "String!", "[Object!]!", "Float" (nullable), ID reads as String,
// any object type as "Object" (each object type is compared on its own, below).
interface JsonSchema { type?: string | string[]; anyOf?: JsonSchema[]; items?: JsonSchema; properties?: Record<string, JsonSchema> }

const BASE: Record<string, string> = { string: 'String', integer: 'Int', number: 'Float', boolean: 'Boolean', object: 'Object' };

function fromJsonSchema(node: JsonSchema): string {
  let nullable = false;
  let n = node;
  if (Array.isArray(n.type)) {
    nullable = n.type.includes('null');
    n = { ...n, type: n.type.find((t) => t !== 'null') };
  }
  if (n.anyOf) {
    const rest = n.anyOf.filter((alt) => alt.type !== 'null');
    nullable = rest.length < n.anyOf.length;
    n = rest[0] ?? {};
  }
  const suffix = nullable ? '' : '!';
  if (n.type === 'array') return `[${fromJsonSchema(n.items ?? {})}]${suffix}`;
  return `${BASE[String(n.type)] ?? `?${String(n.type)}`}${suffix}`;
}

function fromGraphql(type: GraphQLType): string {
  if (isNonNullType(type)) return `${fromGraphql(type.ofType)}!`;
  if (isListType(type)) return `[${fromGraphql(type.ofType)}]`;
  if (isObjectType(type) || isInputObjectType(type)) return 'Object';
  return type.name === 'ID' ? 'String' : type.name;
}

const schema = buildSchema(typeDefs);

function sdlFields(typeName: string): Record<string, string> {
  const type = schema.getType(typeName);
  if (!isObjectType(type) && !isInputObjectType(type)) throw new Error(`${typeName} is not an object type in the SDL`);
  return Object.fromEntries(Object.values(type.getFields()).map((f) => [f.name, fromGraphql(f.type)]));
}

function zodFields(source: z.ZodType, io: 'input' | 'output' = 'output'): Record<string, string> {
  const json = z.toJSONSchema(source, { io }) as JsonSchema;
  return Object.fromEntries(Object.entries(json.properties ?? {}).map(([name, field]) => [name, fromJsonSchema(field)]));
}

describe('the GraphQL SDL against the zod schemas', () => {
  it.each([
    ['Order', orderSchema],
    ['OrderPage', orderPageSchema],
    ['Customer', customerSchema],
    ['OrderItem', orderItemSchema],
    ['DeliveryAddress', deliveryAddressSchema],
    ['Shipment', shipmentSchema],
    ['ShipmentEvent', shipmentEventSchema],
  ] as const)('when the SDL declares %s, then it has exactly the fields, types and nullability of its zod schema', (typeName, source) => {
    expect(sdlFields(typeName)).toEqual(zodFields(source));
  });

  it('when the SDL declares the arguments of Query.orders, then they are the ones its zod schema validates', () => {
    const orders = schema.getQueryType()?.getFields().orders;
    const sdlArgs = Object.fromEntries((orders?.args ?? []).map((a) => [a.name, fromGraphql(a.type)]));
    expect(sdlArgs).toEqual(zodFields(ordersArgsSchema, 'input'));
    const customerFilter = (z.toJSONSchema(ordersArgsSchema, { io: 'input' }) as JsonSchema).properties?.customer?.anyOf?.[0];
    expect(sdlFields('CustomerFilter')).toEqual(Object.fromEntries(Object.entries(customerFilter?.properties ?? {}).map(([k, v]) => [k, fromJsonSchema(v)])));
  });

  it('when a field is missing from either side, then the comparison notices', () => {
    expect(sdlFields('Customer')).not.toEqual(zodFields(customerSchema.extend({ phone: z.string() })));
    expect(sdlFields('Customer')).not.toEqual(zodFields(customerSchema.extend({ id: z.string().nullable() })));
  });
});
