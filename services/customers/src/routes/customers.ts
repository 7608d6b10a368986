import { NotFoundError, validate } from '@oms/service-kit';
import { Router } from 'express';
import type { CustomerRepository } from '../data/customer-repository.js';
import {
  addressInputSchema,
  addressPathSchema,
  createCustomerSchema,
  customerFieldsSchema,
  customerPathSchema,
  listCustomersQuerySchema,
  type CustomerPage,
} from '../domain/customer.js';

/**
 * The customers API (docs/architecture.md, "APIs"). Handlers validate, call the repository and turn a
 * miss into a 404; express 5 forwards rejected promises to the service-kit error handler.
 */
export function customersRouter(customers: CustomerRepository): Router {
  const router = Router();

  router.post('/customers', async (req, res) => {
    const input = validate(createCustomerSchema, req.body, 'customer');
    const customer = await customers.create(input);
    res.status(201).location(`/customers/${customer.id}`).json(customer);
  });

  router.get('/customers', async (req, res) => {
    const query = validate(listCustomersQuerySchema, req.query, 'query');
    const { items, total } = await customers.list(query);
    const page: CustomerPage = { items, total, limit: query.limit, offset: query.offset };
    res.json(page);
  });

  router.get('/customers/:id', async (req, res) => {
    const { id } = validate(customerPathSchema, req.params, 'path');
    const customer = await customers.findById(id);
    if (!customer) throw new NotFoundError('customer', id);
    res.json(customer);
  });

  router.put('/customers/:id', async (req, res) => {
    const { id } = validate(customerPathSchema, req.params, 'path');
    const fields = validate(customerFieldsSchema, req.body, 'customer');
    const customer = await customers.replace(id, fields);
    if (!customer) throw new NotFoundError('customer', id);
    res.json(customer);
  });

  router.delete('/customers/:id', async (req, res) => {
    const { id } = validate(customerPathSchema, req.params, 'path');
    if (!(await customers.delete(id))) throw new NotFoundError('customer', id);
    res.status(204).end();
  });

  router.post('/customers/:id/addresses', async (req, res) => {
    const { id } = validate(customerPathSchema, req.params, 'path');
    const input = validate(addressInputSchema, req.body, 'address');
    const address = await customers.addAddress(id, input);
    if (!address) throw new NotFoundError('customer', id);
    res.status(201).location(`/customers/${id}/addresses/${address.id}`).json(address);
  });

  router.get('/customers/:id/addresses', async (req, res) => {
    const { id } = validate(customerPathSchema, req.params, 'path');
    const items = await customers.listAddresses(id);
    if (!items) throw new NotFoundError('customer', id);
    res.json({ items });
  });

  router.put('/customers/:id/addresses/:addressId', async (req, res) => {
    const { id, addressId } = validate(addressPathSchema, req.params, 'path');
    const input = validate(addressInputSchema, req.body, 'address');
    const address = await customers.replaceAddress(id, addressId, input);
    if (!address) throw new NotFoundError('address', addressId);
    res.json(address);
  });

  router.delete('/customers/:id/addresses/:addressId', async (req, res) => {
    const { id, addressId } = validate(addressPathSchema, req.params, 'path');
    if (!(await customers.deleteAddress(id, addressId))) throw new NotFoundError('address', addressId);
    res.status(204).end();
  });

  return router;
}
