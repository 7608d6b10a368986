import { z } from 'zod';
import { issuesText } from '@oms/service-kit';
import type { Inventory, TransitionResult } from './inventory-service.js';

/**
 * What the inventory reads of a row of the orders service's `order` table, as Debezium publishes
 * it on the `order` topic (unwrapped row image, JSON without schemas; key `{"order_id": …}`).
 * Only the id and the status matter; every other column passes.
 */
const orderRowSchema = z.object({
  id: z.string().min(1).optional(),
  // Absent on rows written before orders could be cancelled: those are placed.
  status: z.string().nullish(),
  // Debezium's rewrite of a delete: `__deleted: "true"`.
  __deleted: z.union([z.boolean(), z.string()]).optional(),
});
const orderKeySchema = z.object({ order_id: z.string().min(1) });

/** A change of an order that moves stock: its row appeared (confirm) or turned cancelled (release). */
export interface OrderChange {
  orderId: string;
  action: 'confirm' | 'release';
}

/** A record with nothing to do (a tombstone, a delete), or one that cannot be read, with why. */
export interface NoChange {
  kind: 'ignore' | 'invalid';
  reason: string;
}

/**
 * Reads one `order` record: a row that is placed means its reservation is confirmed, a row that
 * is cancelled means its stock goes back. A record is replayed as it is (Debezium redelivers,
 * a snapshot re-reads every row): both actions are idempotent in the store.
 */
export function parseOrderChange(key: Buffer | string | null, value: Buffer | string | null): OrderChange | NoChange {
  if (value === null || value.length === 0) return { kind: 'ignore', reason: 'tombstone' };
  let row: z.infer<typeof orderRowSchema>;
  try {
    const parsed = orderRowSchema.safeParse(JSON.parse(value.toString()));
    if (!parsed.success) return { kind: 'invalid', reason: `not an order row: ${issuesText(parsed.error)}` };
    row = parsed.data;
  } catch {
    return { kind: 'invalid', reason: 'value is not JSON' };
  }
  if (row.__deleted === true || row.__deleted === 'true') return { kind: 'ignore', reason: 'delete' };
  const orderId = (row.id ?? keyOrderId(key))?.toLowerCase();
  if (!orderId) return { kind: 'invalid', reason: 'no order id in the value or the key' };
  const status = row.status ?? 'placed';
  if (status === 'placed') return { orderId, action: 'confirm' };
  if (status === 'cancelled') return { orderId, action: 'release' };
  return { kind: 'invalid', reason: `order ${orderId} has an unknown status "${status}"` };
}

function keyOrderId(key: Buffer | string | null): string | undefined {
  if (key === null) return undefined;
  try {
    return orderKeySchema.safeParse(JSON.parse(key.toString())).data?.order_id;
  } catch {
    return undefined;
  }
}

/**
 * What applying a change did, as one word for counters and logs: `confirmed`, `released`,
 * `unchanged` (done before: a redelivery, or a release of an expired reservation), `unknown`
 * (no reservation: an order placed before orders reserved stock), `oversold` (see Inventory.confirm).
 */
export type OrderChangeOutcome = 'confirmed' | 'released' | 'unchanged' | 'unknown' | 'oversold';

/** Applies one change to the inventory. */
export async function applyOrderChange(inventory: Pick<Inventory, 'confirm' | 'release'>, change: OrderChange): Promise<{ outcome: OrderChangeOutcome; result: TransitionResult }> {
  const result = change.action === 'confirm' ? await inventory.confirm(change.orderId) : await inventory.release(change.orderId);
  switch (result.outcome) {
    case 'changed':
      return { outcome: change.action === 'confirm' ? 'confirmed' : 'released', result };
    case 'short':
      return { outcome: 'oversold', result };
    default:
      return { outcome: result.outcome, result };
  }
}
