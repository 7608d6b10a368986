import { z } from 'zod';

/**
 * Turns raw CDC records (Debezium `unwrap` + JsonConverter without schemas, or kafkajs JSON for
 * products) into typed rows, with one zod schema per record kind. Liberal in what it accepts —
 * keys as JSON or plain strings, numbers as strings, booleans as 0/1, times as epoch ms/µs/ns or
 * ISO text, decimals as text — and precise about why it rejects: every rejection carries a
 * one-line reason for the DLQ (the first problem the schema found).
 */

/** Raw bytes or text as they came off the topic. */
export type Raw = Buffer | string | null | undefined;

// ---------------------------------------------------------------------------------------------
// Debezium's encodings of one field. Each builder takes the field's name for its messages.

const isAbsent = (value: unknown) => value === undefined || value === null;

/** Text as CDC sends it: a string, or a number/bigint read as its decimal text. */
const textual = (message: (input: unknown) => string) =>
  z.union([z.string(), z.number().transform(String), z.bigint().transform(String)], { error: (issue) => message(issue.input) });

/** A required text field: "missing x" when absent or null, "x must be a string", "x is empty". */
export const text = (field: string) =>
  textual((input) => (isAbsent(input) ? `missing ${field}` : `${field} must be a string`)).refine((s) => s.trim() !== '', `${field} is empty`);

/** An id the value or else the key supplies (see `withKeyIds`): any non-empty text. */
const keyedId = (field: string) => z.string({ error: `missing ${field}` }).min(1, `missing ${field}`);

/** An optional text field: absent or null is `null`. */
export const optionalText = (field: string) => textual(() => `${field} must be a string`).nullish().transform((s) => s ?? null);

/** Numeric text ("2", " 2.5") becomes a number; anything else is left for the schema to judge. */
const numericText = (value: unknown) => (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value.trim())) ? Number(value.trim()) : value);

/** A required integer, as a JSON number or numeric text. */
export const integer = (field: string) =>
  z.preprocess(
    numericText,
    z.number({ error: (issue) => (isAbsent(issue.input) ? `missing ${field}` : `${field} must be an integer`) }).int({ error: `${field} must be an integer` }),
  );

/** An optional finite number, as a JSON number or numeric text. */
export const optionalNumber = (field: string) =>
  z
    .preprocess(numericText, z.number({ error: `${field} must be a number` }))
    .nullish()
    .transform((n) => n ?? null);

const TRUE = ['true', '1', 'yes', 't', 'y'] as const;
const FALSE = ['false', '0', 'no', 'f', 'n'] as const;

/** true/false, 1/0, "true"/"false", "1"/"0", "yes"/"no" (any case): MySQL's BOOLEAN is TINYINT(1). */
export const booleanish = (message: string) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? value.trim().toLowerCase() : value),
    z.union([z.boolean(), z.literal([1, ...TRUE]).transform(() => true), z.literal([0, ...FALSE]).transform(() => false)], { error: message }),
  );

/**
 * A time as ISO 8601 UTC (`…Z`): an epoch number — milliseconds, or microseconds/nanoseconds when
 * the magnitude says so (Debezium's MicroTimestamp/NanoTimestamp) — or date-time text (zoneless
 * text is read as UTC, which is how Debezium renders DATETIME).
 */
export const timestamp = (field: string) =>
  z
    .union([z.number(), z.string()], { error: (issue) => (isAbsent(issue.input) ? `missing ${field}` : `${field} is not a timestamp`) })
    .transform((value, ctx) => {
      const iso = isoTime(value);
      if (iso === undefined) {
        ctx.addIssue({ code: 'custom', message: `${field} is not a timestamp`, input: value });
        return z.NEVER;
      }
      return iso;
    });

/**
 * A price as integer cents, from a JSON number or decimal text, rounded half up. The conversion
 * goes through the decimal text (a number's shortest representation, which is what the
 * producer wrote), so 1.005 is 101 cents rather than float arithmetic's 100.
 */
export const cents = (field: string) =>
  z
    .union([z.string(), z.number()], { error: (issue) => (isAbsent(issue.input) ? `missing ${field}` : `${field} must be a non-negative number`) })
    .transform((value, ctx) => {
      const result = centsOf(value);
      if (result === undefined) {
        ctx.addIssue({ code: 'custom', message: `${field} must be a non-negative number`, input: value });
        return z.NEVER;
      }
      return result;
    });

function isoTime(value: number | string): string | undefined {
  if (typeof value === 'number') return isoFromEpoch(value);
  const trimmed = value.trim();
  if (/^-?\d+(\.\d+)?$/.test(trimmed)) return isoFromEpoch(Number(trimmed));
  // "2024-05-01 12:00:00[.ffffff]" → ISO with T; no zone designator → UTC; Date parses at
  // most millisecond precision reliably, so longer fractions are cut.
  let iso = trimmed.replace(/^(\d{4}-\d{2}-\d{2})[ T]/, '$1T');
  if (/^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(iso)) iso += 'Z';
  return isoFromMs(Date.parse(iso.replace(/(\.\d{3})\d+/, '$1')));
}

function isoFromEpoch(epoch: number): string | undefined {
  const abs = Math.abs(epoch);
  // 1e14 ms is the year 5138 and 1e14 µs is 1973: the magnitudes cannot be confused for
  // any timestamp this system will see.
  return isoFromMs(abs >= 1e17 ? epoch / 1e6 : abs >= 1e14 ? epoch / 1e3 : epoch);
}

function isoFromMs(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  const date = new Date(Math.round(ms));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function centsOf(value: number | string): number | undefined {
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  const decimal = typeof value === 'string' ? value.trim() : decimalText(value);
  const m = /^\+?(\d+)(?:\.(\d*))?$/.exec(decimal);
  if (!m) return undefined;
  const fraction = (m[2] ?? '').padEnd(3, '0');
  const result = Number(m[1]) * 100 + Number(fraction.slice(0, 2)) + (Number(fraction[2]) >= 5 ? 1 : 0);
  return Number.isSafeInteger(result) ? result : undefined;
}

/** A number's shortest decimal text without exponent notation (1e-7 → "0.0000001"). */
function decimalText(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  return n.toFixed(Math.min(20, Math.max(0, -Math.floor(Math.log10(Math.abs(n))) + 15)));
}

// ---------------------------------------------------------------------------------------------
// Rows. Keys are Debezium's snake_case columns; camelCase spellings are read where the snake
// one is absent. Object keys are listed in the order problems should be reported.

/** Reads `alias` into `canonical` where only the alias is set. */
const aliased = (aliases: Record<string, string>) => (value: unknown) => {
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = { ...value };
  for (const [canonical, alias] of Object.entries(aliases)) out[canonical] ??= value[alias];
  return out;
};

const customerRow = z.preprocess(
  aliased({ last_name: 'lastName', identity_document: 'identityDocument' }),
  z
    .object({
      id: text('id'),
      active: booleanish('active must be a boolean or 0/1')
        .nullish()
        .transform((active) => active ?? true),
      name: text('name'),
      last_name: optionalText('last_name'),
      email: text('email'),
      identity_document: optionalText('identity_document'),
    })
    .transform((r) => ({ id: r.id, name: r.name, lastName: r.last_name ?? '', email: r.email, identityDocument: r.identity_document, active: r.active })),
);
export type Customer = z.output<typeof customerRow>;

const addressRow = z.preprocess(
  aliased({
    customer_id: 'customerId',
    street_type: 'streetType',
    street_name: 'streetName',
    street_number: 'streetNumber',
    building_number: 'buildingNumber',
    department_number: 'departmentNumber',
  }),
  z
    .object({
      id: text('id'),
      customer_id: optionalText('customer_id'),
      street_type: optionalText('street_type'),
      street_name: optionalText('street_name'),
      street_number: optionalText('street_number'),
      building_number: optionalText('building_number'),
      department_number: optionalText('department_number'),
      reference: optionalText('reference'),
      latitude: optionalNumber('latitude'),
      longitude: optionalNumber('longitude'),
    })
    .transform((r) => ({
      id: r.id,
      customerId: r.customer_id,
      streetType: r.street_type,
      streetName: r.street_name,
      streetNumber: r.street_number,
      buildingNumber: r.building_number,
      departmentNumber: r.department_number,
      reference: r.reference,
      latitude: r.latitude,
      longitude: r.longitude,
    })),
);
export type Address = z.output<typeof addressRow>;

const productRow = z
  .object({
    sku: keyedId('sku'),
    price: cents('price'),
    description: optionalText('description'),
  })
  .transform((r) => ({
    sku: r.sku,
    description: r.description ?? '',
    /** Unit price in integer cents, so totals never suffer binary float error. */
    priceCents: r.price,
  }));
export type Product = z.output<typeof productRow>;

const orderHeaderRow = z
  .object({
    id: keyedId('id'),
    line_count: integer('line_count').refine((n) => n >= 1, 'line_count must be at least 1'),
    created_at: timestamp('created_at'),
    updated_at: timestamp('updated_at').nullish(),
    customer_id: text('customer_id'),
    // Absent on rows written before orders could be cancelled: those are placed.
    status: optionalText('status'),
    cancelled_at: timestamp('cancelled_at').nullish(),
  })
  .transform((r) => ({
    id: r.id,
    customerId: r.customer_id,
    lineCount: r.line_count,
    status: r.status ?? 'placed',
    /** ISO 8601 UTC, or null while the order is not cancelled. */
    cancelledAt: r.cancelled_at ?? null,
    /** ISO 8601 UTC. */
    createdAt: r.created_at,
    /** ISO 8601 UTC: the version of the order (every change of an order writes it anew). */
    updatedAt: r.updated_at ?? r.created_at,
  }));
export type OrderHeader = z.output<typeof orderHeaderRow>;

const orderDetailRow = z
  .object({
    order_id: keyedId('order_id'),
    id: optionalText('id'),
    line_no: integer('line_no')
      .refine((n) => n >= 1, 'line_no must be at least 1')
      .nullish()
      .transform((n) => n ?? null),
    quantity: integer('quantity').superRefine((q, ctx) => {
      if (q < 1) ctx.addIssue({ code: 'custom', message: `quantity must be positive (got ${q})`, input: q });
    }),
    sku: text('sku'),
    address_id: text('address_id'),
    updated_at: timestamp('updated_at').nullish(),
  })
  .refine((r) => r.id !== null || r.line_no !== null, 'missing id and line_no')
  .transform((r) => ({
    /** What makes two detail records the same line: line_no when present, else the detail id. */
    lineKey: r.line_no !== null ? `#${r.line_no}` : `id:${r.id!}`,
    id: r.id,
    orderId: r.order_id,
    lineNo: r.line_no,
    sku: r.sku,
    quantity: r.quantity,
    addressId: r.address_id,
    /**
     * The order version this line was written with (the header's `updated_at`); null on lines
     * written before lines carried it, which belong to the order's first version.
     */
    updatedAt: r.updated_at ?? null,
  }));
export type OrderDetail = z.output<typeof orderDetailRow>;

// ---------------------------------------------------------------------------------------------
// Records: key + value bytes → what the join does with them.

/**
 * A lookup row changed (`upsert`) or went away (`delete`: `__deleted` row or tombstone). A
 * Debezium delete rewritten with `__deleted` carries the row's last values (`row`); a tombstone
 * carries none.
 */
export type LookupChange<T> = { kind: 'upsert'; row: T } | { kind: 'delete'; id: string; row?: T } | Invalid;
/** An order-side row, or a record that carries nothing to join (a delete or tombstone). */
export type OrderPart<T> = { kind: 'row'; row: T } | { kind: 'ignore'; reason: string } | Invalid;
export interface Invalid {
  kind: 'invalid';
  reason: string;
}

const invalid = (reason: string): Invalid => ({ kind: 'invalid', reason });

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const asText = (raw: Exclude<Raw, null | undefined>) => (typeof raw === 'string' ? raw : raw.toString('utf8'));

/** JsonConverter with schemas.enable=true wraps rows as {schema, payload}; accept that too. */
function unwrapEnvelope(value: unknown): unknown {
  if (isRecord(value) && 'payload' in value && 'schema' in value && Object.keys(value).length === 2) return value.payload;
  return value;
}

/** The value as JSON: `null` for an absent or empty payload (a tombstone), or why it is not JSON. */
function decodeValue(raw: Raw): { json: unknown } | Invalid {
  if (raw === null || raw === undefined) return { json: null };
  const content = asText(raw);
  if (content.trim() === '') return { json: null };
  try {
    return { json: unwrapEnvelope(JSON.parse(content)) };
  } catch {
    return invalid('invalid JSON');
  }
}

/** Any text a CDC field may carry ('' included), or undefined. */
const anyText = textual(() => 'not text');
const textOf = (value: unknown): string | undefined => anyText.safeParse(value).data;

/** Reads `field` from a key: the key object's field, or the key itself when it is a scalar. */
export function keyField(raw: Raw, ...fields: string[]): string | undefined {
  if (raw === null || raw === undefined) return undefined;
  const content = asText(raw);
  let key: unknown;
  try {
    key = unwrapEnvelope(JSON.parse(content));
  } catch {
    key = content;
  }
  const candidates = isRecord(key) ? fields.map((f) => key[f]) : [key];
  return candidates.map(textOf).find((candidate) => candidate);
}

/** Debezium's rewrite mode marks deletes with `__deleted: "true"`; `__op: "d"` is also honoured. */
const deleteMarker = booleanish('');
function isDeleteRow(row: Record<string, unknown>): boolean {
  return deleteMarker.safeParse(row.__deleted).data === true || row.__op === 'd';
}

/** The row parsed by `schema`, or the first problem as one line; a non-object is "<what> is not a JSON object". */
function parseRow<S extends z.ZodType>(schema: S, row: unknown, what: string): { row: z.output<S> } | Invalid {
  if (!isRecord(row)) return invalid(`${what} is not a JSON object`);
  const result = schema.safeParse(row);
  return result.success ? { row: result.data } : invalid(result.error.issues[0]?.message ?? `${what} is invalid`);
}

/** A lookup keyed by `{"id": ...}`: customer and address. */
function parseLookup<S extends z.ZodType>(key: Raw, value: Raw, what: string, schema: S): LookupChange<z.output<S>> {
  const decoded = decodeValue(value);
  if ('kind' in decoded) return decoded;
  if (decoded.json === null) {
    const id = keyField(key, 'id');
    return id ? { kind: 'delete', id } : invalid(`${what} tombstone without an id in its key`);
  }
  if (isRecord(decoded.json) && isDeleteRow(decoded.json)) {
    const id = textOf(decoded.json.id) ?? keyField(key, 'id');
    if (!id) return invalid(`${what} delete without an id`);
    const last = parseRow(schema, decoded.json, `${what} value`);
    return 'row' in last ? { kind: 'delete', id, row: last.row } : { kind: 'delete', id };
  }
  const parsed = parseRow(schema, decoded.json, `${what} value`);
  return 'row' in parsed ? { kind: 'upsert', row: parsed.row } : parsed;
}

/** A `customer` topic record (snake_case Debezium row image). */
export function parseCustomer(key: Raw, value: Raw): LookupChange<Customer> {
  return parseLookup(key, value, 'customer', customerRow);
}

/** An `address` topic record (snake_case Debezium row image). */
export function parseAddress(key: Raw, value: Raw): LookupChange<Address> {
  return parseLookup(key, value, 'address', addressRow);
}

/** A `products` topic record: key is the SKU as plain text, value camelCase JSON, null = delete. */
export function parseProduct(key: Raw, value: Raw): LookupChange<Product> {
  const decoded = decodeValue(value);
  if ('kind' in decoded) return decoded;
  const keySku = keyField(key, 'sku', 'id');
  if (decoded.json === null) return keySku ? { kind: 'delete', id: keySku } : invalid('product tombstone without a SKU key');
  if (!isRecord(decoded.json)) return invalid('product value is not a JSON object');
  const row = withKeyIds(decoded.json, { sku: keySku });
  if (isDeleteRow(row)) return typeof row.sku === 'string' && row.sku ? { kind: 'delete', id: row.sku } : invalid('missing sku');
  const parsed = parseRow(productRow, row, 'product value');
  return 'row' in parsed ? { kind: 'upsert', row: parsed.row } : parsed;
}

/** The row with each id field as text: the value's own when it carries text, else the key's. */
function withKeyIds(row: Record<string, unknown>, fromKey: Record<string, string | undefined>): Record<string, unknown> {
  const out = { ...row };
  for (const [field, fallback] of Object.entries(fromKey)) out[field] = textOf(row[field]) ?? fallback;
  return out;
}

/** An order-side record: tombstones and deletes carry nothing to join; `fromKey` fills ids the value lacks. */
function parseOrderPart<S extends z.ZodType>(value: Raw, what: string, schema: S, fromKey: Record<string, string | undefined>): OrderPart<z.output<S>> {
  const decoded = decodeValue(value);
  if ('kind' in decoded) return decoded;
  if (decoded.json === null) return { kind: 'ignore', reason: 'tombstone' };
  if (!isRecord(decoded.json)) return invalid(`${what} is not a JSON object`);
  if (isDeleteRow(decoded.json)) return { kind: 'ignore', reason: 'delete' };
  const parsed = parseRow(schema, withKeyIds(decoded.json, fromKey), what);
  return 'row' in parsed ? { kind: 'row', row: parsed.row } : parsed;
}

/** An `order` topic record. The order id comes from the value, else from the key. */
export function parseOrderHeader(key: Raw, value: Raw): OrderPart<OrderHeader> {
  return parseOrderPart(value, 'order value', orderHeaderRow, { id: keyField(key, 'order_id', 'id') });
}

/** An `order_detail` topic record. The order id comes from the value, else from the key. */
export function parseOrderDetail(key: Raw, value: Raw): OrderPart<OrderDetail> {
  return parseOrderPart(value, 'order_detail value', orderDetailRow, { order_id: keyField(key, 'order_id') });
}
