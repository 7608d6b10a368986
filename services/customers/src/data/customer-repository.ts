import { randomUUID } from 'node:crypto';
import type { MysqlConnection, MysqlPool } from '@oms/service-kit/mysql';
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import {
  DuplicateEmailError,
  type Address,
  type AddressInput,
  type CreateCustomerInput,
  type Customer,
  type CustomerFields,
  type ListCustomersQuery,
} from '../domain/customer.js';
import { ADDRESS_TABLE, CUSTOMER_TABLE } from './database.js';
import {
  ADDRESS_COLUMNS,
  CUSTOMER_COLUMNS,
  addressValues,
  customerValues,
  escapeLike,
  toAddress,
  toCustomer,
  type AddressRow,
  type CustomerRow,
} from './rows.js';

type CustomerRecord = CustomerRow & RowDataPacket;
type AddressRecord = AddressRow & RowDataPacket;

// Built once from constants; every value goes through a `?` placeholder.
const INSERT_CUSTOMER = `INSERT INTO ${CUSTOMER_TABLE} (${CUSTOMER_COLUMNS.join(', ')}) VALUES ?`;
const INSERT_ADDRESSES = `INSERT INTO ${ADDRESS_TABLE} (${ADDRESS_COLUMNS.join(', ')}) VALUES ?`;
const SELECT_CUSTOMER = `SELECT * FROM ${CUSTOMER_TABLE} WHERE id = ?`;
const SELECT_ADDRESSES_OF = `SELECT * FROM ${ADDRESS_TABLE} WHERE customer_id IN (?) ORDER BY customer_id, id`;

/** Our unique key on email; a duplicate on any other key is not the client's fault. */
const EMAIL_KEY = 'uq_customer_email';

export interface CustomerRepositoryOptions {
  now?: () => Date;
  newId?: () => string;
}

/**
 * Customers and their addresses in MariaDB. Returns `null`/`false` for unknown ids so the
 * routes decide what a miss means; throws {@link DuplicateEmailError} on a taken email.
 */
export class CustomerRepository {
  private readonly now: () => Date;
  private readonly newId: () => string;

  constructor(
    private readonly pool: MysqlPool,
    { now = () => new Date(), newId = randomUUID }: CustomerRepositoryOptions = {},
  ) {
    this.now = now;
    this.newId = newId;
  }

  /** Inserts the customer and its addresses in one transaction. */
  async create(input: CreateCustomerInput): Promise<Customer> {
    const id = this.newId();
    const now = this.now();
    await this.transaction(async (tx) => {
      await insertCustomer(tx, customerValues(id, input, now, now), input.email);
      if (input.addresses.length > 0) {
        await tx.query(INSERT_ADDRESSES, [input.addresses.map((address) => addressValues(this.newId(), id, address))]);
      }
    });
    return this.mustFind(id);
  }

  async findById(id: string): Promise<Customer | null> {
    const [rows] = await this.pool.query<CustomerRecord[]>(SELECT_CUSTOMER, [id]);
    const row = rows[0];
    if (!row) return null;
    const [addresses] = await this.pool.query<AddressRecord[]>(SELECT_ADDRESSES_OF, [[id]]);
    return toCustomer(row, addresses);
  }

  /** One page of customers, oldest first (a stable order for paging), with the total count. */
  async list(query: ListCustomersQuery): Promise<{ items: Customer[]; total: number }> {
    // Each condition is a constant fragment; only the values vary, through placeholders.
    const conditions: string[] = [];
    const params: unknown[] = [];
    if (query.email !== undefined) {
      conditions.push('email = ?');
      params.push(query.email);
    }
    if (query.name !== undefined) {
      const pattern = `%${escapeLike(query.name)}%`;
      conditions.push("(name LIKE ? ESCAPE '!' OR last_name LIKE ? ESCAPE '!')");
      params.push(pattern, pattern);
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    const [[counted], [rows]] = await Promise.all([
      this.pool.query<Array<RowDataPacket & { total: number }>>(`SELECT COUNT(*) AS total FROM ${CUSTOMER_TABLE} ${where}`, params),
      this.pool.query<CustomerRecord[]>(`SELECT * FROM ${CUSTOMER_TABLE} ${where} ORDER BY created_at, id LIMIT ? OFFSET ?`, [
        ...params,
        query.limit,
        query.offset,
      ]),
    ]);
    const addressesByCustomer = await this.addressesOf(rows.map((row) => row.id));
    return {
      items: rows.map((row) => toCustomer(row, addressesByCustomer.get(row.id) ?? [])),
      total: counted[0]?.total ?? 0,
    };
  }

  /** Replaces the customer's own fields (not its addresses); `null` when unknown. */
  async replace(id: string, fields: CustomerFields): Promise<Customer | null> {
    try {
      await this.pool.query(
        `UPDATE ${CUSTOMER_TABLE} SET name = ?, last_name = ?, email = ?, identity_document = ?, active = ?, updated_at = ? WHERE id = ?`,
        [fields.name, fields.lastName, fields.email, fields.identityDocument, fields.active, this.now(), id],
      );
    } catch (err) {
      throw asDuplicateEmail(err, fields.email);
    }
    // An unknown id updates nothing and reads back nothing; affectedRows would not tell a
    // no-op update from a miss.
    return this.findById(id);
  }

  /**
   * Deletes the customer and its addresses. The addresses are deleted explicitly rather than
   * left to ON DELETE CASCADE: InnoDB does not write cascaded deletes to the binlog, so
   * Debezium (and the address topic) would never see them.
   */
  async delete(id: string): Promise<boolean> {
    return this.transaction(async (tx) => {
      await tx.query(`DELETE FROM ${ADDRESS_TABLE} WHERE customer_id = ?`, [id]);
      const [result] = await tx.query<ResultSetHeader>(`DELETE FROM ${CUSTOMER_TABLE} WHERE id = ?`, [id]);
      return result.affectedRows > 0;
    });
  }

  /** Adds an address; `null` when the customer is unknown. */
  async addAddress(customerId: string, input: AddressInput): Promise<Address | null> {
    const id = this.newId();
    try {
      await this.pool.query(INSERT_ADDRESSES, [[addressValues(id, customerId, input)]]);
    } catch (err) {
      // The foreign key is the atomic answer to "does the customer exist?".
      if ((err as { code?: string }).code === 'ER_NO_REFERENCED_ROW_2') return null;
      throw err;
    }
    return this.findAddress(customerId, id);
  }

  /** The customer's addresses; `null` when the customer is unknown. */
  async listAddresses(customerId: string): Promise<Address[] | null> {
    const [customers] = await this.pool.query<CustomerRecord[]>(`SELECT id FROM ${CUSTOMER_TABLE} WHERE id = ?`, [customerId]);
    if (customers.length === 0) return null;
    const [rows] = await this.pool.query<AddressRecord[]>(SELECT_ADDRESSES_OF, [[customerId]]);
    return rows.map(toAddress);
  }

  /** Replaces an address of this customer; `null` when it is unknown or belongs to someone else. */
  async replaceAddress(customerId: string, addressId: string, input: AddressInput): Promise<Address | null> {
    await this.pool.query(
      `UPDATE ${ADDRESS_TABLE} SET street_type = ?, street_name = ?, street_number = ?, building_number = ?,
         department_number = ?, reference = ?, latitude = ?, longitude = ? WHERE id = ? AND customer_id = ?`,
      // addressValues minus its leading id and customer_id are exactly the SET values, in order.
      [...addressValues(addressId, customerId, input).slice(2), addressId, customerId],
    );
    // Read back rather than trust affectedRows, which is 0 for an update that changes nothing.
    return this.findAddress(customerId, addressId);
  }

  /** Deletes an address of this customer; `false` when it is unknown or belongs to someone else. */
  async deleteAddress(customerId: string, addressId: string): Promise<boolean> {
    const [result] = await this.pool.query<ResultSetHeader>(`DELETE FROM ${ADDRESS_TABLE} WHERE id = ? AND customer_id = ?`, [
      addressId,
      customerId,
    ]);
    return result.affectedRows > 0;
  }

  private async findAddress(customerId: string, addressId: string): Promise<Address | null> {
    const [rows] = await this.pool.query<AddressRecord[]>(`SELECT * FROM ${ADDRESS_TABLE} WHERE id = ? AND customer_id = ?`, [
      addressId,
      customerId,
    ]);
    return rows[0] ? toAddress(rows[0]) : null;
  }

  private async addressesOf(customerIds: string[]): Promise<Map<string, AddressRow[]>> {
    const byCustomer = new Map<string, AddressRow[]>();
    if (customerIds.length === 0) return byCustomer;
    const [rows] = await this.pool.query<AddressRecord[]>(SELECT_ADDRESSES_OF, [customerIds]);
    for (const row of rows) {
      const list = byCustomer.get(row.customer_id) ?? [];
      list.push(row);
      byCustomer.set(row.customer_id, list);
    }
    return byCustomer;
  }

  private async mustFind(id: string): Promise<Customer> {
    const customer = await this.findById(id);
    if (!customer) throw new Error(`customer ${id} vanished right after it was written`);
    return customer;
  }

  private async transaction<T>(work: (tx: MysqlConnection) => Promise<T>): Promise<T> {
    const tx = await this.pool.getConnection();
    try {
      await tx.beginTransaction();
      const result = await work(tx);
      await tx.commit();
      return result;
    } catch (err) {
      await tx.rollback().catch(() => undefined);
      throw err;
    } finally {
      tx.release();
    }
  }
}

async function insertCustomer(tx: MysqlConnection, values: unknown[], email: string): Promise<void> {
  try {
    await tx.query(INSERT_CUSTOMER, [[values]]);
  } catch (err) {
    throw asDuplicateEmail(err, email);
  }
}

function asDuplicateEmail(err: unknown, email: string): unknown {
  const { code, message } = err as { code?: string; message?: string };
  return code === 'ER_DUP_ENTRY' && message?.includes(EMAIL_KEY) ? new DuplicateEmailError(email) : err;
}
