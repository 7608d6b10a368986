import { describe, expect, it } from 'vitest';
import { addressInputSchema, createCustomerSchema, customerFieldsSchema, listCustomersQuerySchema } from './customer.js';

const validCustomer = { name: 'Ana', lastName: 'Pérez', email: 'ana@example.com', identityDocument: 'DNI-1' };
const validAddress = { streetType: 'AVENUE', streetName: 'Arequipa', streetNumber: '1200' };

describe('createCustomerSchema', () => {
  it('when only the required fields are sent, then active defaults to true and addresses to []', () => {
    expect(createCustomerSchema.parse(validCustomer)).toEqual({ ...validCustomer, active: true, addresses: [] });
  });

  it('when every field is wrong or missing, then every field is reported', () => {
    const result = createCustomerSchema.safeParse({ name: '  ', email: 'not-an-email', active: 'yes' });
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((issue) => issue.path.join('.')).sort();
    expect(paths).toEqual(['active', 'email', 'identityDocument', 'lastName', 'name']);
  });

  it('when a field is longer than its column, then it is rejected before reaching SQL', () => {
    const result = createCustomerSchema.safeParse({ ...validCustomer, name: 'x'.repeat(101) });
    expect(result.error?.issues[0]?.path).toEqual(['name']);
  });

  it('when a nested address is invalid, then the issue path points into the array', () => {
    const result = createCustomerSchema.safeParse({ ...validCustomer, addresses: [validAddress, { ...validAddress, streetType: 'ROAD' }] });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['addresses.1.streetType']);
  });
});

describe('customerFieldsSchema', () => {
  it('when a client PUTs back a fetched customer, then read-only fields are dropped', () => {
    const parsed = customerFieldsSchema.parse({ ...validCustomer, id: 'x', createdAt: 'y', addresses: [], active: false });
    expect(parsed).toEqual({ ...validCustomer, active: false });
  });
});

describe('addressInputSchema', () => {
  it('when optional fields are omitted, then they become null', () => {
    expect(addressInputSchema.parse(validAddress)).toEqual({
      ...validAddress,
      buildingNumber: null,
      departmentNumber: null,
      reference: null,
      latitude: null,
      longitude: null,
    });
  });

  it('when house numbers are integers or blank strings, then they are normalised to text or null', () => {
    const parsed = addressInputSchema.parse({ ...validAddress, streetNumber: 12, buildingNumber: 3, departmentNumber: '  ', reference: '' });
    expect(parsed).toMatchObject({ streetNumber: '12', buildingNumber: '3', departmentNumber: null, reference: null });
  });

  it('when coordinates are out of range, then both are reported', () => {
    const result = addressInputSchema.safeParse({ ...validAddress, latitude: 91, longitude: -181 });
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['latitude', 'longitude']);
  });

  it('when the street type is lower case, then it is rejected (the ENUM is upper case)', () => {
    expect(addressInputSchema.safeParse({ ...validAddress, streetType: 'avenue' }).success).toBe(false);
  });
});

describe('listCustomersQuerySchema', () => {
  it('when nothing is given, then limit is 20 and offset 0', () => {
    expect(listCustomersQuerySchema.parse({})).toEqual({ limit: 20, offset: 0 });
  });

  it('when limit is outside 1..100 or offset negative, then each is reported', () => {
    expect(listCustomersQuerySchema.safeParse({ limit: '0' }).success).toBe(false);
    expect(listCustomersQuerySchema.safeParse({ limit: '101' }).success).toBe(false);
    expect(listCustomersQuerySchema.safeParse({ offset: '-1' }).success).toBe(false);
  });

  it('when query strings carry numbers, then they are coerced', () => {
    expect(listCustomersQuerySchema.parse({ limit: '5', offset: '10', name: ' ana ' })).toEqual({ limit: 5, offset: 10, name: 'ana' });
  });
});
