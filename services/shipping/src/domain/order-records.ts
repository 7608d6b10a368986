import { issuesText } from '@oms/service-kit';
import { z } from 'zod';

/**
 * What shipping reads of a record of topic `orders-graph` (orders-stream's enriched orders, Kafka
 * Connect JSON with schemas: `{schema, payload}`). Only the order id and its status matter; every
 * other field passes.
 */
const enrichedOrderRecordSchema = z.object({
  payload: z.object({
    id: z.string().min(1),
    // Absent on records written before orders could be cancelled: those are placed.
    status: z.string().nullish(),
  }),
});

/** An order as shipping follows it: a placed one wants a shipment, a cancelled one wants it cancelled. */
export interface OrderSeen {
  orderId: string;
  cancelled: boolean;
}

/** A record with nothing to do (a tombstone), or one that cannot be read, with why. */
export interface NotAnOrder {
  kind: 'ignore' | 'invalid';
  reason: string;
}

/** Reads one `orders-graph` record value. Pure; never throws. */
export function parseOrderRecord(value: Buffer | string | null): OrderSeen | NotAnOrder {
  if (value === null || value.length === 0) return { kind: 'ignore', reason: 'tombstone' };
  let json: unknown;
  try {
    json = JSON.parse(value.toString());
  } catch {
    return { kind: 'invalid', reason: 'value is not JSON' };
  }
  const parsed = enrichedOrderRecordSchema.safeParse(json);
  if (!parsed.success) return { kind: 'invalid', reason: `not an enriched order: ${issuesText(parsed.error)}` };
  const { id, status } = parsed.data.payload;
  const orderId = id.toLowerCase();
  if (status == null || status === 'placed') return { orderId, cancelled: false };
  if (status === 'cancelled') return { orderId, cancelled: true };
  return { kind: 'invalid', reason: `order ${orderId} has an unknown status "${status}"` };
}
