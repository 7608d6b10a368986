/**
 * Turns raw CDC records (Debezium `unwrap` + JsonConverter without schemas, or kafkajs JSON for
 * products) into typed rows. Liberal in what it accepts — keys as JSON or plain strings,
 * numbers as strings, booleans as 0/1, times as epoch ms/µs/ns or ISO text — and precise
 * about why it rejects: every rejection carries a one-line reason for the DLQ.
 */

/** Raw bytes or text as they came off the topic. */
export type Raw = Buffer | string | null | undefined;

export interface Customer {
  id: string;
  name: string;
  lastName: string;
  email: string;
  identityDocument: string | null;
  active: boolean;
}

export interface Address {
  id: string;
  customerId: string | null;
  streetType: string | null;
  streetName: string | null;
  streetNumber: string | null;
  buildingNumber: string | null;
  departmentNumber: string | null;
  reference: string | null;
  latitude: number | null;
  longitude: number | null;
}

export interface Product {
  sku: string;
  description: string;
  /** Unit price in integer cents, so totals never suffer binary float error. */
  priceCents: number;
}

export interface OrderHeader {
  id: string;
  customerId: string;
  lineCount: number;
  /** ISO 8601 UTC. */
  createdAt: string;
  updatedAt: string;
}

export interface OrderDetail {
  /** What makes two detail records the same line: line_no when present, else the detail id. */
  lineKey: string;
  id: string | null;
  orderId: string;
  lineNo: number | null;
  sku: string;
  quantity: number;
  addressId: string;
}

/** A lookup row changed (`upsert`) or went away (`delete`: `__deleted` row or tombstone). */
export type LookupChange<T> = { kind: 'upsert'; row: T } | { kind: 'delete'; id: string } | Invalid;
/** An order-side row, or a record that carries nothing to join (a delete or tombstone). */
export type OrderPart<T> = { kind: 'row'; row: T } | { kind: 'ignore'; reason: string } | Invalid;
export interface Invalid {
  kind: 'invalid';
  reason: string;
}

type Json = Record<string, unknown>;

const invalid = (reason: string): Invalid => ({ kind: 'invalid', reason });

class Rejected extends Error {}
/** Throws a rejection the record parsers turn into an `invalid` result. */
function reject(reason: string): never {
  throw new Rejected(reason);
}

function guard<T>(parse: () => T): T | Invalid {
  try {
    return parse();
  } catch (err) {
    if (err instanceof Rejected) return invalid(err.message);
    throw err;
  }
}

/** Decoded JSON, `null` for an absent or empty payload, or a rejection for bad bytes. */
export function decodeJson(raw: Raw): unknown {
  if (raw === null || raw === undefined) return null;
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  if (text.trim() === '') return null;
  try {
    return unwrapEnvelope(JSON.parse(text));
  } catch {
    return reject('invalid JSON');
  }
}

/** JsonConverter with schemas.enable=true wraps rows as {schema, payload}; accept that too. */
function unwrapEnvelope(v: unknown): unknown {
  if (isObject(v) && 'payload' in v && 'schema' in v && Object.keys(v).length === 2) return v.payload;
  return v;
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function asObject(v: unknown, what: string): Json {
  if (!isObject(v)) reject(`${what} is not a JSON object`);
  return v;
}

/** Text of a key that may be JSON (`{"id":..}`, `"sku"`) or a plain string. */
function keyJson(raw: Raw): unknown {
  if (raw === null || raw === undefined) return null;
  const text = typeof raw === 'string' ? raw : raw.toString('utf8');
  try {
    return unwrapEnvelope(JSON.parse(text));
  } catch {
    return text;
  }
}

/** Reads `field` from a key: the key object's field, or the key itself when it is a scalar. */
export function keyField(raw: Raw, ...fields: string[]): string | undefined {
  const k = keyJson(raw);
  if (isObject(k)) {
    for (const f of fields) {
      const v = optString(k[f]);
      if (v) return v;
    }
    return undefined;
  }
  return optString(k) || undefined;
}

/** A string, a number turned into its decimal text, or undefined for null/absent. */
export function optString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  return undefined;
}

function reqString(row: Json, field: string): string {
  const v = row[field];
  if (v === undefined || v === null) reject(`missing ${field}`);
  const s = optString(v);
  if (s === undefined) reject(`${field} must be a string`);
  if (s.trim() === '') reject(`${field} is empty`);
  return s;
}

function nullableString(row: Json, field: string): string | null {
  const v = row[field];
  if (v === undefined || v === null) return null;
  const s = optString(v);
  if (s === undefined) reject(`${field} must be a string`);
  return s;
}

/** A finite number from a JSON number or numeric text; undefined when it is neither. */
export function toNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string' && v.trim() !== '') {
    const n = Number(v.trim());
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function nullableNumber(row: Json, field: string): number | null {
  const v = row[field];
  if (v === undefined || v === null) return null;
  const n = toNumber(v);
  if (n === undefined) reject(`${field} must be a number`);
  return n;
}

function reqInt(row: Json, field: string): number {
  const v = row[field];
  if (v === undefined || v === null) reject(`missing ${field}`);
  const n = toNumber(v);
  if (n === undefined || !Number.isSafeInteger(n)) reject(`${field} must be an integer`);
  return n;
}

/** true/false, 1/0, "true"/"false", "1"/"0", "yes"/"no"; undefined for anything else. */
export function toBoolean(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v === 1 ? true : v === 0 ? false : undefined;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (['true', '1', 'yes', 't', 'y'].includes(s)) return true;
    if (['false', '0', 'no', 'f', 'n'].includes(s)) return false;
  }
  return undefined;
}

/**
 * ISO 8601 UTC (`…Z`) for an epoch number — milliseconds, or microseconds/nanoseconds when the
 * magnitude says so (Debezium's MicroTimestamp/NanoTimestamp) — or for date-time text (a zoneless
 * text is read as UTC, which is how Debezium renders DATETIME). Undefined when unparseable.
 */
export function toIsoTime(v: unknown): string | undefined {
  let ms: number | undefined;
  const asNumber = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : undefined;
  if (asNumber !== undefined) {
    if (!Number.isFinite(asNumber)) return undefined;
    const abs = Math.abs(asNumber);
    // 1e14 ms is the year 5138 and 1e14 µs is 1973: the magnitudes cannot be confused for
    // any timestamp this system will see.
    ms = abs >= 1e17 ? asNumber / 1e6 : abs >= 1e14 ? asNumber / 1e3 : asNumber;
  } else if (typeof v === 'string' && v.trim() !== '') {
    let text = v.trim();
    // "2024-05-01 12:00:00[.ffffff]" → ISO with T; no zone designator → UTC.
    text = text.replace(/^(\d{4}-\d{2}-\d{2})[ T]/, '$1T');
    if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text)) text += 'Z';
    // Date parses at most millisecond precision reliably; trim longer fractions.
    text = text.replace(/(\.\d{3})\d+/, '$1');
    ms = Date.parse(text);
  }
  if (ms === undefined || !Number.isFinite(ms)) return undefined;
  const date = new Date(Math.round(ms));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function reqTime(row: Json, field: string): string {
  const v = row[field];
  if (v === undefined || v === null) reject(`missing ${field}`);
  const iso = toIsoTime(v);
  if (iso === undefined) reject(`${field} is not a timestamp`);
  return iso;
}

/**
 * Integer cents for a price given as a JSON number or decimal text, rounded half up. The
 * conversion goes through the decimal text (a number's shortest representation, which is what
 * the producer wrote), so 1.005 is 101 cents rather than float arithmetic's 100.
 * Undefined for a negative or unparseable price.
 */
export function toCents(v: unknown): number | undefined {
  let text: string;
  if (typeof v === 'string') text = v.trim();
  else if (typeof v === 'number' && Number.isFinite(v)) text = decimalText(v);
  else return undefined;
  const m = /^\+?(\d+)(?:\.(\d*))?$/.exec(text);
  if (!m) return undefined;
  const frac = (m[2] ?? '').padEnd(3, '0');
  const cents = Number(m[1]) * 100 + Number(frac.slice(0, 2)) + (Number(frac[2]) >= 5 ? 1 : 0);
  return Number.isSafeInteger(cents) ? cents : undefined;
}

/** A number's shortest decimal text without exponent notation (1e-7 → "0.0000001"). */
function decimalText(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(Math.min(20, Math.max(0, -Math.floor(Math.log10(Math.abs(n))) + 15)));
}

/** Debezium's rewrite mode marks deletes with `__deleted: "true"`; `__op: "d"` is also honoured. */
function isDeleteRow(row: Json): boolean {
  return toBoolean(row.__deleted) === true || row.__op === 'd';
}

/** A lookup keyed by `{"id": ...}`: customer and address. */
function parseLookup<T>(key: Raw, value: Raw, what: string, build: (row: Json, id: string) => T): LookupChange<T> {
  return guard((): LookupChange<T> => {
    const decoded = decodeJson(value);
    if (decoded === null) {
      const id = keyField(key, 'id');
      return id ? { kind: 'delete', id } : invalid(`${what} tombstone without an id in its key`);
    }
    const row = asObject(decoded, `${what} value`);
    if (isDeleteRow(row)) {
      const id = optString(row.id) ?? keyField(key, 'id');
      return id ? { kind: 'delete', id } : invalid(`${what} delete without an id`);
    }
    return { kind: 'upsert', row: build(row, reqString(row, 'id')) };
  });
}

/** A `customer` topic record (snake_case Debezium row image). */
export function parseCustomer(key: Raw, value: Raw): LookupChange<Customer> {
  return parseLookup(
    key,
    value,
    'customer',
    (row, id) => {
      const active = row.active === undefined || row.active === null ? true : toBoolean(row.active);
      if (active === undefined) reject('active must be a boolean or 0/1');
      return {
        id,
        name: reqString(row, 'name'),
        lastName: nullableString(row, 'last_name') ?? nullableString(row, 'lastName') ?? '',
        email: reqString(row, 'email'),
        identityDocument: nullableString(row, 'identity_document') ?? nullableString(row, 'identityDocument'),
        active,
      };
    },
  );
}

/** An `address` topic record (snake_case Debezium row image). */
export function parseAddress(key: Raw, value: Raw): LookupChange<Address> {
  const pick = (row: Json, snake: string, camel: string) => (row[snake] !== undefined ? snake : camel);
  return parseLookup(
    key,
    value,
    'address',
    (row, id) => ({
      id,
      customerId: nullableString(row, pick(row, 'customer_id', 'customerId')),
      streetType: nullableString(row, pick(row, 'street_type', 'streetType')),
      streetName: nullableString(row, pick(row, 'street_name', 'streetName')),
      streetNumber: nullableString(row, pick(row, 'street_number', 'streetNumber')),
      buildingNumber: nullableString(row, pick(row, 'building_number', 'buildingNumber')),
      departmentNumber: nullableString(row, pick(row, 'department_number', 'departmentNumber')),
      reference: nullableString(row, 'reference'),
      latitude: nullableNumber(row, 'latitude'),
      longitude: nullableNumber(row, 'longitude'),
    }),
  );
}

/** A `products` topic record: key is the SKU as plain text, value camelCase JSON, null = delete. */
export function parseProduct(key: Raw, value: Raw): LookupChange<Product> {
  return guard((): LookupChange<Product> => {
    const decoded = decodeJson(value);
    const keySku = keyField(key, 'sku', 'id');
    if (decoded === null) return keySku ? { kind: 'delete', id: keySku } : invalid('product tombstone without a SKU key');
    const row = asObject(decoded, 'product value');
    const sku = optString(row.sku) ?? keySku;
    if (!sku) reject('missing sku');
    if (isDeleteRow(row)) return { kind: 'delete', id: sku };
    if (row.price === undefined || row.price === null) reject('missing price');
    const priceCents = toCents(row.price);
    if (priceCents === undefined) reject('price must be a non-negative number');
    const description = nullableString(row, 'description') ?? '';
    return { kind: 'upsert', row: { sku, description, priceCents } };
  });
}

/** An `order` topic record. The order id comes from the value, else from the key. */
export function parseOrderHeader(key: Raw, value: Raw): OrderPart<OrderHeader> {
  return guard((): OrderPart<OrderHeader> => {
    const decoded = decodeJson(value);
    if (decoded === null) return { kind: 'ignore', reason: 'tombstone' };
    const row = asObject(decoded, 'order value');
    if (isDeleteRow(row)) return { kind: 'ignore', reason: 'delete' };
    const id = optString(row.id) ?? keyField(key, 'order_id', 'id');
    if (!id) reject('missing id');
    const lineCount = reqInt(row, 'line_count');
    if (lineCount < 1) reject('line_count must be at least 1');
    const createdAt = reqTime(row, 'created_at');
    const updatedAt = row.updated_at === undefined || row.updated_at === null ? createdAt : reqTime(row, 'updated_at');
    return { kind: 'row', row: { id, customerId: reqString(row, 'customer_id'), lineCount, createdAt, updatedAt } };
  });
}

/** An `order_detail` topic record. */
export function parseOrderDetail(key: Raw, value: Raw): OrderPart<OrderDetail> {
  return guard((): OrderPart<OrderDetail> => {
    const decoded = decodeJson(value);
    if (decoded === null) return { kind: 'ignore', reason: 'tombstone' };
    const row = asObject(decoded, 'order_detail value');
    if (isDeleteRow(row)) return { kind: 'ignore', reason: 'delete' };
    const orderId = optString(row.order_id) ?? keyField(key, 'order_id');
    if (!orderId) reject('missing order_id');
    const id = nullableString(row, 'id');
    const lineNo = row.line_no === undefined || row.line_no === null ? null : reqInt(row, 'line_no');
    if (lineNo !== null && lineNo < 1) reject('line_no must be at least 1');
    if (id === null && lineNo === null) reject('missing id and line_no');
    const quantity = reqInt(row, 'quantity');
    if (quantity < 1) reject(`quantity must be positive (got ${quantity})`);
    return {
      kind: 'row',
      row: {
        lineKey: lineNo !== null ? `#${lineNo}` : `id:${id}`,
        id,
        orderId,
        lineNo,
        sku: reqString(row, 'sku'),
        quantity,
        addressId: reqString(row, 'address_id'),
      },
    };
  });
}
