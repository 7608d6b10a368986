import { describe, expect, it } from 'vitest';
import { addressInputSchema } from '../domain/customer.js';
import { ADDRESS_COLUMNS, CUSTOMER_COLUMNS, addressValues, customerValues, escapeLike, toAddress, toCustomer, type AddressRow, type CustomerRow } from './rows.js';

const customerRow: CustomerRow = {
  id: '6f1c1a64-8b39-4f0e-9a53-2f4a2b0a9d10',
  name: 'Ana',
  last_name: 'Pérez',
  email: 'ana@example.com',
  identity_document: 'DNI-1',
  active: 1,
  created_at: new Date('2025-01-02T03:04:05.678Z'),
  updated_at: new Date('2025-01-03T00:00:00.000Z'),
};

const addressRow: AddressRow = {
  id: '0b8e4a3c-1d2e-4f50-8a9b-0c1d2e3f4a5b',
  customer_id: customerRow.id,
  street_type: 'COURT',
  street_name: 'Elm',
  street_number: '7',
  building_number: null,
  department_number: '4B',
  reference: null,
  latitude: '-12.046412',
  longitude: null,
};

describe('toCustomer', () => {
  it('when given rows, then it returns the camelCase resource with ISO timestamps', () => {
    expect(toCustomer(customerRow, [addressRow])).toEqual({
      id: customerRow.id,
      name: 'Ana',
      lastName: 'Pérez',
      email: 'ana@example.com',
      identityDocument: 'DNI-1',
      active: true,
      createdAt: '2025-01-02T03:04:05.678Z',
      updatedAt: '2025-01-03T00:00:00.000Z',
      addresses: [toAddress(addressRow)],
    });
  });

  it('when active is 0, then active is false', () => {
    expect(toCustomer({ ...customerRow, active: 0 }, []).active).toBe(false);
  });
});

describe('toAddress', () => {
  it('when DECIMAL columns arrive as strings, then they become numbers and NULL stays null', () => {
    expect(toAddress(addressRow)).toMatchObject({ latitude: -12.046412, longitude: null, departmentNumber: '4B', customerId: customerRow.id });
  });
});

describe('insert values', () => {
  it('when an address is written, then there is one value per column in column order', () => {
    const input = addressInputSchema.parse({ streetType: 'LANE', streetName: 'Oak', streetNumber: '1', latitude: 1.5, longitude: 2.5 });
    const values = addressValues('a', 'c', input);
    expect(values).toHaveLength(ADDRESS_COLUMNS.length);
    expect(Object.fromEntries(ADDRESS_COLUMNS.map((column, i) => [column, values[i]]))).toEqual({
      id: 'a',
      customer_id: 'c',
      street_type: 'LANE',
      street_name: 'Oak',
      street_number: '1',
      building_number: null,
      department_number: null,
      reference: null,
      latitude: 1.5,
      longitude: 2.5,
    });
  });

  it('when a customer is written, then there is one value per column in column order', () => {
    const at = new Date(0);
    const values = customerValues('id', { name: 'n', lastName: 'l', email: 'e@x.io', identityDocument: 'd', active: false }, at, at);
    expect(Object.fromEntries(CUSTOMER_COLUMNS.map((column, i) => [column, values[i]]))).toEqual({
      id: 'id',
      name: 'n',
      last_name: 'l',
      email: 'e@x.io',
      identity_document: 'd',
      active: false,
      created_at: at,
      updated_at: at,
    });
  });
});

describe('escapeLike', () => {
  it('when the text holds LIKE wildcards or the escape character, then they are escaped', () => {
    expect(escapeLike('50%_off!')).toBe('50!%!_off!!');
  });
});
