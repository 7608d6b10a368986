import type { MysqlPool } from '@oms/service-kit/mysql';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@oms/service-kit';
import { describeOpenApiContract, ResponseLog } from '@oms/service-kit/openapi-check';
import type { Express } from 'express';
import mysql, { type RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testInfra } from '../../../test/infra.js';
import { createApp } from './app.js';
import { createPool, ensureDatabase, migrate, type MysqlTarget } from './data/database.js';
import { addressSchema, customerPageSchema, customerSchema, type Address, type Customer } from './domain/customer.js';

// A database of its own, dropped and recreated per run, so the demo data is never touched.
const DATABASE = 'customers_test';
const MISSING_ID = '00000000-0000-4000-8000-000000000000';

let pool: MysqlPool;
let app: Express;
let server: Server;
let baseUrl: string;
/** Every answer the tests receive, checked against /openapi.json at the end. */
const answers = new ResponseLog();

interface Reply<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

function call<T = any>(method: string, path: string, body?: unknown, rawBody?: string): Promise<Reply<T>> {
  return answers.call<T>(method, `${baseUrl}${path}`, body, rawBody);
}

let emailCounter = 0;
const uniqueEmail = (prefix = 'user') => `${prefix}.${Date.now()}.${++emailCounter}@example.com`;

const newCustomer = (overrides: Record<string, unknown> = {}) => ({
  name: 'Ana',
  lastName: 'Pérez',
  email: uniqueEmail(),
  identityDocument: 'DNI-12345678',
  ...overrides,
});

const newAddress = (overrides: Record<string, unknown> = {}) => ({
  streetType: 'AVENUE',
  streetName: 'Arequipa',
  streetNumber: '1200',
  buildingNumber: 'B',
  departmentNumber: '402',
  reference: 'next to the park',
  latitude: -12.0464,
  longitude: -77.0428,
  ...overrides,
});

async function createCustomer(overrides: Record<string, unknown> = {}): Promise<Customer> {
  const res = await call<Customer>('POST', '/customers', newCustomer(overrides));
  expect(res.status).toBe(201);
  return res.body;
}

async function countAddressRows(customerId: string): Promise<number> {
  const [rows] = await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM address WHERE customer_id = ?', [customerId]);
  return Number(rows[0]?.n);
}

beforeAll(async () => {
  const infra = testInfra().mysql;
  const target: MysqlTarget = { ...infra, database: DATABASE };
  // No retries: if MariaDB is unreachable this throws and every test fails loudly.
  const admin = await mysql.createConnection({ ...infra, connectTimeout: 5000 });
  try {
    await admin.query('DROP DATABASE IF EXISTS ??', [DATABASE]);
  } finally {
    await admin.end();
  }
  await ensureDatabase(target);
  pool = createPool(target);
  await migrate(pool);
  // A second run of the migration must be a no-op, as at every service start.
  await migrate(pool);
  app = createApp({ pool, logger: createLogger('customers-test', 'silent') });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  // beforeAll may have failed half-way; close only what exists, or this hook would hang.
  if (server) await new Promise((resolve) => server.close(resolve));
  await pool?.end();
});

describe('GET /health', () => {
  it('when MariaDB answers, then 200 with the mariadb check ok', async () => {
    const res = await call('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', checks: { mariadb: { ok: true } } });
  });
});

describe('POST /customers', () => {
  it('when the body is valid with addresses, then 201 with the customer and its addresses created together', async () => {
    const input = newCustomer({ addresses: [newAddress(), newAddress({ streetType: 'COURT', streetNumber: 7, latitude: null })] });
    const res = await call<Customer>('POST', '/customers', input);
    expect(res.status).toBe(201);
    const customer = customerSchema.parse(res.body);
    expect(res.headers.get('location')).toBe(`/customers/${customer.id}`);
    expect(customer).toMatchObject({ name: 'Ana', lastName: 'Pérez', email: input.email, active: true });
    expect(customer.createdAt).toBe(customer.updatedAt);
    expect(customer.addresses).toHaveLength(2);
    for (const address of customer.addresses) expect(address.customerId).toBe(customer.id);
    expect(customer.addresses.map((a) => a.streetNumber).sort()).toEqual(['1200', '7']);
    expect(await countAddressRows(customer.id)).toBe(2);
  });

  it('when no addresses are sent, then 201 with addresses []', async () => {
    const customer = await createCustomer({ active: false });
    expect(customer.addresses).toEqual([]);
    expect(customer.active).toBe(false);
  });

  it('when fields are missing or invalid, then 400 listing every field problem', async () => {
    const res = await call('POST', '/customers', { name: '', email: 'nope', addresses: [{ streetType: 'ROAD' }] });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('bad_request');
    const paths = (res.body.details as Array<{ path: string }>).map((d) => d.path);
    expect(paths).toEqual(
      expect.arrayContaining(['name', 'lastName', 'email', 'identityDocument', 'addresses.0.streetType', 'addresses.0.streetName', 'addresses.0.streetNumber']),
    );
  });

  it('when a text field holds a NUL character, then 400 naming each such field, and nothing is stored', async () => {
    // MariaDB would store it, but the name travels on to PostgreSQL's read model, which rejects U+0000.
    const email = uniqueEmail();
    const res = await call('POST', '/customers', newCustomer({ email, name: 'Ada\u0000', addresses: [newAddress({ reference: '\u0000' })] }));
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([
      { path: 'name', message: 'must not contain the NUL character (U+0000)' },
      { path: 'addresses.0.reference', message: 'must not contain the NUL character (U+0000)' },
    ]);
    expect((await call<{ total: number }>('GET', `/customers?email=${encodeURIComponent(email)}`)).body.total).toBe(0);
  });

  it('when the body is not JSON, then 400 malformed_json', async () => {
    const res = await call('POST', '/customers', undefined, '{"name":');
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('malformed_json');
  });

  it('when the body is over 1 MB, then 413', async () => {
    const res = await call('POST', '/customers', newCustomer({ reference: 'x'.repeat(1_100_000) }));
    expect(res.status).toBe(413);
    expect(res.body.error).toBe('payload_too_large');
  });

  it('when the email is taken (in any letter case), then 409 and nothing is written', async () => {
    const existing = await createCustomer();
    const res = await call('POST', '/customers', newCustomer({ email: existing.email.toUpperCase(), addresses: [newAddress()] }));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'conflict', details: { email: existing.email.toUpperCase() } });
    const [rows] = await pool.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM customer WHERE email = ?', [existing.email]);
    expect(Number(rows[0]?.n)).toBe(1);
  });
});

describe('GET /customers', () => {
  const tag = `Zq${Date.now()}`;
  let created: Customer[];

  beforeAll(async () => {
    created = [];
    created.push(await createCustomer({ name: `${tag}Alpha`, lastName: 'One', addresses: [newAddress()] }));
    created.push(await createCustomer({ name: 'Beta', lastName: `Two${tag}` }));
    created.push(await createCustomer({ name: `${tag}Gamma`, lastName: 'Three' }));
  });

  it('when filtering by part of a name, then customers matching on name or last name come back with the total', async () => {
    const res = await call('GET', `/customers?name=${encodeURIComponent(tag.toLowerCase())}`);
    expect(res.status).toBe(200);
    const page = customerPageSchema.parse(res.body);
    expect(page.total).toBe(3);
    expect(page.items.map((c) => c.id).sort()).toEqual(created.map((c) => c.id).sort());
    expect(page.items.find((c) => c.id === created[0]?.id)?.addresses).toHaveLength(1);
    expect(page).toMatchObject({ limit: 20, offset: 0 });
  });

  it('when paging with limit and offset, then the slice is returned and the total is unchanged', async () => {
    const all = (await call('GET', `/customers?name=${tag}`)).body.items.map((c: Customer) => c.id);
    const res = await call('GET', `/customers?name=${tag}&limit=1&offset=1`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(res.body.items.map((c: Customer) => c.id)).toEqual([all[1]]);
  });

  it('when filtering by email, then only the exact match comes back', async () => {
    const target = created[2]!;
    const res = await call('GET', `/customers?email=${encodeURIComponent(target.email)}`);
    expect(res.body.total).toBe(1);
    expect(res.body.items[0].id).toBe(target.id);
    const partial = await call('GET', `/customers?email=${encodeURIComponent(target.email.slice(1))}`);
    expect(partial.body).toMatchObject({ items: [], total: 0 });
  });

  it('when the name holds LIKE wildcards, then they match literally', async () => {
    const res = await call('GET', `/customers?name=${encodeURIComponent('%')}`);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(0);
  });

  it('when limit or offset is out of range, then 400 naming each', async () => {
    const res = await call('GET', '/customers?limit=101&offset=-1');
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['limit', 'offset']);
    expect((await call('GET', '/customers?limit=0')).status).toBe(400);
  });
});

describe('GET /customers/:id', () => {
  it('when the customer exists, then 200 with its addresses', async () => {
    const created = await createCustomer({ addresses: [newAddress()] });
    const res = await call('GET', `/customers/${created.id}`);
    expect(res.status).toBe(200);
    expect(customerSchema.parse(res.body)).toEqual(created);
  });

  it('when the id is unknown, then 404', async () => {
    const res = await call('GET', `/customers/${MISSING_ID}`);
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: 'not_found', details: { customer: MISSING_ID } });
  });

  it('when the id is not a UUID, then 400', async () => {
    const res = await call('GET', '/customers/not-a-uuid');
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ path: 'id', message: expect.any(String) }]);
  });
});

describe('PUT /customers/:id', () => {
  it('when the body is valid, then 200 with the fields replaced, addresses kept and updatedAt moved', async () => {
    const created = await createCustomer({ addresses: [newAddress()] });
    await new Promise((resolve) => setTimeout(resolve, 5));
    const replacement = { name: 'Beatriz', lastName: 'Quispe', email: uniqueEmail('renamed'), identityDocument: 'CE-9', active: false };
    const res = await call<Customer>('PUT', `/customers/${created.id}`, { ...replacement, addresses: [] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ...replacement, id: created.id, createdAt: created.createdAt });
    expect(res.body.addresses).toEqual(created.addresses);
    expect(Date.parse(res.body.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    expect((await call('GET', `/customers/${created.id}`)).body).toEqual(res.body);
  });

  it('when the same body is PUT twice, then both succeed', async () => {
    const created = await createCustomer();
    const body = { name: 'Same', lastName: 'Same', email: created.email, identityDocument: 'X' };
    expect((await call('PUT', `/customers/${created.id}`, body)).status).toBe(200);
    expect((await call('PUT', `/customers/${created.id}`, body)).status).toBe(200);
  });

  it('when the id is unknown, then 404', async () => {
    expect((await call('PUT', `/customers/${MISSING_ID}`, newCustomer())).status).toBe(404);
  });

  it('when the body is incomplete, then 400 naming the missing fields', async () => {
    const created = await createCustomer();
    const res = await call('PUT', `/customers/${created.id}`, { name: 'Only' });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['email', 'identityDocument', 'lastName']);
  });

  it("when the new email is another customer's, then 409", async () => {
    const [first, second] = [await createCustomer(), await createCustomer()];
    const res = await call('PUT', `/customers/${second.id}`, newCustomer({ email: first.email }));
    expect(res.status).toBe(409);
  });
});

describe('DELETE /customers/:id', () => {
  it('when the customer exists, then 204, it is gone and so are its addresses', async () => {
    const created = await createCustomer({ addresses: [newAddress(), newAddress()] });
    const res = await call('DELETE', `/customers/${created.id}`);
    expect(res.status).toBe(204);
    expect(res.body).toBeUndefined();
    expect((await call('GET', `/customers/${created.id}`)).status).toBe(404);
    expect(await countAddressRows(created.id)).toBe(0);
  });

  it('when the id is unknown, then 404', async () => {
    expect((await call('DELETE', `/customers/${MISSING_ID}`)).status).toBe(404);
  });

  it('when the id is not a UUID, then 400', async () => {
    expect((await call('DELETE', '/customers/123')).status).toBe(400);
  });
});

describe('POST /customers/:id/addresses', () => {
  it('when the address is valid, then 201 and the customer shows it', async () => {
    const customer = await createCustomer();
    const res = await call<Address>('POST', `/customers/${customer.id}/addresses`, newAddress({ buildingNumber: null, reference: '' }));
    expect(res.status).toBe(201);
    const address = addressSchema.parse(res.body);
    expect(res.headers.get('location')).toBe(`/customers/${customer.id}/addresses/${address.id}`);
    expect(address).toMatchObject({ customerId: customer.id, streetType: 'AVENUE', buildingNumber: null, reference: null, latitude: -12.0464 });
    expect((await call('GET', `/customers/${customer.id}`)).body.addresses).toEqual([address]);
  });

  it('when the customer is unknown, then 404', async () => {
    const res = await call('POST', `/customers/${MISSING_ID}/addresses`, newAddress());
    expect(res.status).toBe(404);
    expect(res.body.details).toEqual({ customer: MISSING_ID });
  });

  it('when the address is invalid, then 400 naming every field', async () => {
    const customer = await createCustomer();
    const res = await call('POST', `/customers/${customer.id}/addresses`, { streetType: 'ROAD', latitude: 100 });
    expect(res.status).toBe(400);
    expect(res.body.details.map((d: { path: string }) => d.path).sort()).toEqual(['latitude', 'streetName', 'streetNumber', 'streetType']);
  });
});

describe('GET /customers/:id/addresses', () => {
  it('when the customer has addresses, then 200 with all of them', async () => {
    const customer = await createCustomer({ addresses: [newAddress(), newAddress({ streetName: 'Larco' })] });
    const res = await call('GET', `/customers/${customer.id}/addresses`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ items: customer.addresses });
  });

  it('when the customer has none, then 200 with an empty list', async () => {
    const customer = await createCustomer();
    expect((await call('GET', `/customers/${customer.id}/addresses`)).body).toEqual({ items: [] });
  });

  it('when the customer is unknown, then 404', async () => {
    expect((await call('GET', `/customers/${MISSING_ID}/addresses`)).status).toBe(404);
  });
});

describe('PUT /customers/:id/addresses/:addressId', () => {
  it('when the address belongs to the customer, then 200 with it replaced', async () => {
    const customer = await createCustomer({ addresses: [newAddress()] });
    const addressId = customer.addresses[0]!.id;
    const res = await call('PUT', `/customers/${customer.id}/addresses/${addressId}`, { streetType: 'LANE', streetName: 'Oak', streetNumber: '9' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      id: addressId,
      customerId: customer.id,
      streetType: 'LANE',
      streetName: 'Oak',
      streetNumber: '9',
      buildingNumber: null,
      departmentNumber: null,
      reference: null,
      latitude: null,
      longitude: null,
    });
  });

  it('when the address belongs to another customer, then 404 and it is unchanged', async () => {
    const owner = await createCustomer({ addresses: [newAddress()] });
    const other = await createCustomer();
    const address = owner.addresses[0]!;
    const res = await call('PUT', `/customers/${other.id}/addresses/${address.id}`, newAddress({ streetName: 'Hijacked' }));
    expect(res.status).toBe(404);
    expect(res.body.details).toEqual({ address: address.id });
    expect((await call('GET', `/customers/${owner.id}`)).body.addresses).toEqual([address]);
  });

  it('when the address is invalid or the ids malformed, then 400', async () => {
    const customer = await createCustomer({ addresses: [newAddress()] });
    expect((await call('PUT', `/customers/${customer.id}/addresses/${customer.addresses[0]!.id}`, { streetType: 'ROAD' })).status).toBe(400);
    expect((await call('PUT', `/customers/${customer.id}/addresses/nope`, newAddress())).status).toBe(400);
  });
});

describe('DELETE /customers/:id/addresses/:addressId', () => {
  it('when the address belongs to the customer, then 204 and it is gone', async () => {
    const customer = await createCustomer({ addresses: [newAddress(), newAddress()] });
    const [gone, kept] = customer.addresses;
    expect((await call('DELETE', `/customers/${customer.id}/addresses/${gone!.id}`)).status).toBe(204);
    expect((await call('GET', `/customers/${customer.id}/addresses`)).body).toEqual({ items: [kept] });
    expect((await call('DELETE', `/customers/${customer.id}/addresses/${gone!.id}`)).status).toBe(404);
  });

  it('when the address belongs to another customer, then 404 and it survives', async () => {
    const owner = await createCustomer({ addresses: [newAddress()] });
    const other = await createCustomer();
    expect((await call('DELETE', `/customers/${other.id}/addresses/${owner.addresses[0]!.id}`)).status).toBe(404);
    expect(await countAddressRows(owner.id)).toBe(1);
  });
});

describe('unknown routes', () => {
  it('when the path matches no route, then 404 JSON', async () => {
    const res = await call('GET', '/nope');
    expect(res.status).toBe(404);
    expect(res.body.error).toBe('not_found');
  });
});

describeOpenApiContract({ app: () => app, baseUrl: () => baseUrl, log: answers });
