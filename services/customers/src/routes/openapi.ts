import { defineApi, errorResponse, invalidInput, notFound, type OpenApiDocument, pagedListOperation } from '@oms/service-kit/openapi';
import {
  addressInputSchema,
  addressListSchema,
  addressPathSchema,
  addressSchema,
  createCustomerSchema,
  customerFieldsSchema,
  customerPageSchema,
  customerPathSchema,
  customerSchema,
  listCustomersQuerySchema,
} from '../domain/customer.js';

const CUSTOMER_ID = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
const ADDRESS_ID = '7a1e5d2c-4b3f-4a8e-9c6d-0e1f2a3b4c5d';
const AT = '2026-01-15T10:30:00.000Z';

const addressInput = {
  streetType: 'STREET',
  streetName: 'Baker street',
  streetNumber: '221',
  buildingNumber: '1',
  departmentNumber: 'B',
  reference: 'home',
  latitude: 51.5237,
  longitude: -0.1585,
};
const address = { id: ADDRESS_ID, customerId: CUSTOMER_ID, ...addressInput };
const fields = { name: 'Ada', lastName: 'Lovelace', email: 'ada@example.com', identityDocument: 'X1234567', active: true };
const customer = { id: CUSTOMER_ID, ...fields, createdAt: AT, updatedAt: AT, addresses: [address] };

const customerNotFound = notFound('No customer has this id.', 'customer', CUSTOMER_ID);
const addressNotFound = notFound('The customer has no address with this id.', 'address', ADDRESS_ID);
const duplicateEmail = errorResponse('Another customer already uses this email (case-insensitively).', {
  duplicate: { summary: 'a taken email', value: { error: 'conflict', message: 'a customer with email ada@example.com already exists', details: { email: 'ada@example.com' } } },
});
const badPath = invalidInput('path', 'id', 'Invalid UUID');

/**
 * The customers API (`GET /openapi.json`, `GET /docs`): every route of routes/customers.ts with
 * the schemas it validates with (domain/customer.ts). The route-coverage test in app.int.test.ts
 * fails when a route is served but not listed here, or listed but not served.
 */
export function customersApi(): OpenApiDocument {
  return defineApi({
    title: 'customers',
    dependency: 'mariadb',
    version: '0.1.0',
    description: 'Customers and their delivery addresses (MariaDB `customers`). Every change reaches Kafka through Debezium (topics `customer`, `address`).',
    schemas: { Customer: customerSchema, Address: addressSchema, CustomerPage: customerPageSchema, NewCustomer: createCustomerSchema, CustomerFields: customerFieldsSchema, AddressInput: addressInputSchema },
    operations: [
      {
        method: 'post',
        path: '/customers',
        tag: 'customers',
        summary: 'Create a customer, with its addresses',
        description: 'The customer and the addresses given are written in one transaction.',
        request: { body: { schema: createCustomerSchema, description: 'The customer and, optionally, up to 50 addresses.', example: { ...fields, addresses: [addressInput] } } },
        responses: {
          201: { description: 'Created; `Location` is its URL.', schema: customerSchema, example: customer, headers: { Location: 'The new customer, `/customers/{id}`.' } },
          400: invalidInput('customer', 'email', 'Invalid email address'),
          409: duplicateEmail,
        },
      },
      pagedListOperation({
        path: '/customers',
        tag: 'customers',
        summary: 'List customers',
        description: '`email` matches exactly (case-insensitively), `name` partially on name or last name; newest first.',
        query: listCustomersQuerySchema,
        page: customerPageSchema,
        item: customer,
        invalid: ['limit', 'Too big: expected number to be <=100'],
      }),
      {
        method: 'get',
        path: '/customers/:id',
        tag: 'customers',
        summary: 'Get a customer, with its addresses',
        request: { params: customerPathSchema },
        responses: { 200: { description: 'The customer.', schema: customerSchema, example: customer }, 400: badPath, 404: customerNotFound },
      },
      {
        method: 'put',
        path: '/customers/:id',
        tag: 'customers',
        summary: "Replace a customer's own fields",
        description: 'A full replace of name, lastName, email, identityDocument and active; addresses, ids and timestamps in the body are ignored, so what a GET gave can be sent back.',
        request: { params: customerPathSchema, body: { schema: customerFieldsSchema, description: "The customer's fields.", example: { ...fields, lastName: 'King' } } },
        responses: {
          200: { description: 'The customer as it is now.', schema: customerSchema, example: { ...customer, lastName: 'King' } },
          400: invalidInput('customer', 'name', 'Too small: expected string to have >=1 characters'),
          404: customerNotFound,
          409: duplicateEmail,
        },
      },
      {
        method: 'delete',
        path: '/customers/:id',
        tag: 'customers',
        summary: 'Delete a customer and its addresses',
        request: { params: customerPathSchema },
        responses: { 204: { description: 'Deleted.' }, 400: badPath, 404: customerNotFound },
      },
      {
        method: 'post',
        path: '/customers/:id/addresses',
        tag: 'addresses',
        summary: 'Add an address to a customer',
        request: { params: customerPathSchema, body: { schema: addressInputSchema, description: 'The address.', example: addressInput } },
        responses: {
          201: { description: 'Created; `Location` is its URL.', schema: addressSchema, example: address, headers: { Location: 'The new address, `/customers/{id}/addresses/{addressId}`.' } },
          400: invalidInput('address', 'streetType', 'Invalid option: expected one of "STREET"|"LANE"|"BOULEVARD"|"AVENUE"|"COURT"'),
          404: customerNotFound,
        },
      },
      {
        method: 'get',
        path: '/customers/:id/addresses',
        tag: 'addresses',
        summary: "List a customer's addresses",
        request: { params: customerPathSchema },
        responses: { 200: { description: 'Every address of the customer.', schema: addressListSchema, example: { items: [address] } }, 400: badPath, 404: customerNotFound },
      },
      {
        method: 'put',
        path: '/customers/:id/addresses/:addressId',
        tag: 'addresses',
        summary: 'Replace an address',
        request: { params: addressPathSchema, body: { schema: addressInputSchema, description: 'The whole address.', example: { ...addressInput, streetNumber: '221B' } } },
        responses: {
          200: { description: 'The address as it is now.', schema: addressSchema, example: { ...address, streetNumber: '221B' } },
          400: invalidInput('address', 'latitude', 'Too big: expected number to be <=90'),
          404: addressNotFound,
        },
      },
      {
        method: 'delete',
        path: '/customers/:id/addresses/:addressId',
        tag: 'addresses',
        summary: 'Delete an address',
        request: { params: addressPathSchema },
        responses: { 204: { description: 'Deleted.' }, 400: invalidInput('path', 'addressId', 'Invalid UUID'), 404: addressNotFound },
      },
    ],
  });
}
