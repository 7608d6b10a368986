import { describeIssues, nulIssues } from '@oms/service-kit';
import { z } from 'zod';

/** Largest page `orders` serves. */
export const MAX_LIMIT = 100;

const dateOnly = z.iso.date();
const dateTime = z.iso.datetime({ offset: true });

const isoDateOrDateTime = z
  .string()
  .refine((s) => dateOnly.safeParse(s).success || dateTime.safeParse(s).success, {
    error: 'must be an ISO date (2024-01-31) or date-time with offset (2024-01-31T10:00:00Z)',
  });

const optionalText = (max: number) =>
  z
    .string()
    .max(max)
    .nullish()
    .transform((s) => (s?.trim() ? s.trim() : undefined));

/**
 * Arguments of `Query.orders`, the one schema that validates them. GraphQL already checks
 * the types; this checks what GraphQL cannot: ranges, date formats and their order.
 */
export const ordersArgsSchema = z
  .object({
    customer: z
      .object({ name: optionalText(200), email: optionalText(320) })
      .nullish()
      .transform((c): { name?: string; email?: string } => c ?? {}),
    fromDate: isoDateOrDateTime.nullish(),
    toDate: isoDateOrDateTime.nullish(),
    limit: z
      .number()
      .int()
      .min(1, `limit must be between 1 and ${MAX_LIMIT}`)
      .max(MAX_LIMIT, `limit must be between 1 and ${MAX_LIMIT}`)
      .nullish()
      .transform((n) => n ?? 20),
    offset: z
      .number()
      .int()
      .min(0, 'offset must not be negative')
      .nullish()
      .transform((n) => n ?? 0),
  })
  .refine((a) => !a.fromDate || !a.toDate || lowerBound(a.fromDate) <= lowerBound(a.toDate), {
    error: 'fromDate must not be after toDate',
    path: ['fromDate'],
  });

/** Raw arguments of `Query.orders` as GraphQL hands them over. */
export type OrdersArgs = z.input<typeof ordersArgsSchema>;

/**
 * A validated filter, with dates resolved to instants. `createdBefore` is exclusive so a
 * date-only `toDate` covers that whole (UTC) day; a date-time `toDate` is inclusive.
 */
export interface OrderFilter {
  name?: string;
  email?: string;
  createdFrom?: string;
  createdTo?: { at: string; inclusive: boolean };
  limit: number;
  offset: number;
}

/** Arguments that failed validation: one message, and every problem by argument path. */
export interface InvalidArgs {
  ok: false;
  message: string;
  details: Array<{ path: string; message: string }>;
}

/** Result of {@link parseOrdersArgs}: a filter, or every problem found. */
export type ParsedOrdersArgs = { ok: true; filter: OrderFilter } | InvalidArgs;

/** Validates `orders` arguments into an {@link OrderFilter}; pure, so it is unit-tested. */
export function parseOrdersArgs(args: unknown): ParsedOrdersArgs {
  const result = ordersArgsSchema.safeParse(args);
  // PostgreSQL rejects U+0000 in text parameters: such a name is the caller's mistake, not a 500.
  const details = [...(result.success ? [] : describeIssues(result.error)), ...nulIssues(args)];
  if (!result.success || details.length > 0) return invalid(details);
  const { customer, fromDate, toDate, limit, offset } = result.data;
  const filter: OrderFilter = { limit, offset };
  if (customer.name) filter.name = customer.name;
  if (customer.email) filter.email = customer.email;
  if (fromDate) filter.createdFrom = isDateOnly(fromDate) ? `${fromDate}T00:00:00.000Z` : fromDate;
  if (toDate) {
    filter.createdTo = isDateOnly(toDate)
      ? { at: nextUtcDay(toDate), inclusive: false }
      : { at: toDate, inclusive: true };
  }
  return { ok: true, filter };
}

/** Longest `order(id:)` looked up; ids are UUIDs, so anything longer cannot match. */
export const MAX_ID_LENGTH = 200;

const orderIdSchema = z.string().min(1, 'id must not be empty').max(MAX_ID_LENGTH, `id must be at most ${MAX_ID_LENGTH} characters`);

/** Result of {@link parseOrderId}. */
export type ParsedOrderId = { ok: true; id: string } | InvalidArgs;

/** Validates the `id` of `Query.order` before it reaches PostgreSQL (which rejects U+0000 in text). */
export function parseOrderId(id: unknown): ParsedOrderId {
  const result = orderIdSchema.safeParse(id);
  const details = [
    ...(result.success ? [] : describeIssues(result.error)),
    ...nulIssues(id),
  ].map((d) => ({ ...d, path: 'id' }));
  return result.success && details.length === 0 ? { ok: true, id: result.data } : invalid(details);
}

function invalid(details: InvalidArgs['details']): InvalidArgs {
  return { ok: false, message: `invalid arguments: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`, details };
}

function isDateOnly(s: string): boolean {
  return dateOnly.safeParse(s).success;
}

function lowerBound(s: string): number {
  return Date.parse(isDateOnly(s) ? `${s}T00:00:00Z` : s);
}

function nextUtcDay(date: string): string {
  const d = new Date(`${date}T00:00:00.000Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString();
}
