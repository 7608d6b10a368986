import type { Redis } from 'ioredis';
import { inventoryKeys } from '../data/redis-inventory-store.js';
import { RedisOutbox } from '../data/redis-outbox.js';
import type { ChangeRecord } from '../domain/inventory.js';

/** Everything under one prefix, read back from Redis as it is. */
export interface InventorySnapshot {
  stock: Map<string, { onHand: number; reserved: number; version: number }>;
  reservations: Array<{ orderId: string; state: string; lines: Array<[string, number]>; inPendingSet: boolean }>;
  outbox: ChangeRecord[];
}

async function scanKeys(redis: Redis, pattern: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  return keys;
}

/** Reads every stock hash, reservation and outbox record under `prefix`. */
export async function snapshot(redis: Redis, prefix: string): Promise<InventorySnapshot> {
  const keys = inventoryKeys(prefix);
  const stock = new Map<string, { onHand: number; reserved: number; version: number }>();
  for (const key of await scanKeys(redis, `${prefix}stock:*`)) {
    const [onHand, reserved, version] = await redis.hmget(key, 'onHand', 'reserved', 'version');
    stock.set(key.slice(keys.stock('').length), { onHand: Number(onHand ?? 0), reserved: Number(reserved ?? 0), version: Number(version ?? 0) });
  }
  const pending = new Set(await redis.zrange(keys.pending, 0, -1));
  const reservations: InventorySnapshot['reservations'] = [];
  for (const key of await scanKeys(redis, `${prefix}reservation:*`)) {
    const fields = await redis.hgetall(key);
    const orderId = fields.orderId ?? '';
    reservations.push({ orderId, state: fields.state ?? '', lines: JSON.parse(fields.lines ?? '[]'), inPendingSet: pending.has(orderId) });
  }
  const outbox = new RedisOutbox(redis, keys.outbox);
  const length = await outbox.length();
  return { stock, reservations, outbox: (await outbox.read(Math.max(length, 1))).map((entry) => entry.record) };
}

/**
 * Every way the stored state can contradict itself, as readable lines (empty = consistent):
 * - per SKU, `reserved` = Σ quantity of its pending reservations, and never above `onHand`;
 * - no count is negative;
 * - a reservation is in the pending set exactly when it is pending;
 * - the outbox holds one record per change: the last record of a SKU is its current state,
 *   versions count up by one, and no record shows a negative count.
 * Pass `onHand` to check the count on hand expected per SKU as well.
 */
export function violations(state: InventorySnapshot, expectedOnHand: Record<string, number> = {}): string[] {
  const problems: string[] = [];
  const pendingBySku = new Map<string, number>();
  for (const r of state.reservations) {
    if ((r.state === 'pending') !== r.inPendingSet) problems.push(`reservation ${r.orderId} is ${r.state} but ${r.inPendingSet ? 'is' : 'is not'} in the pending set`);
    if (r.state === 'pending') for (const [sku, quantity] of r.lines) pendingBySku.set(sku, (pendingBySku.get(sku) ?? 0) + quantity);
  }
  for (const [sku, { onHand, reserved, version }] of state.stock) {
    const pending = pendingBySku.get(sku) ?? 0;
    if (reserved !== pending) problems.push(`${sku}: reserved ${reserved} but pending reservations hold ${pending}`);
    if (onHand < 0 || reserved < 0 || reserved > onHand) problems.push(`${sku}: onHand ${onHand}, reserved ${reserved}`);
    if (sku in expectedOnHand && expectedOnHand[sku] !== onHand) problems.push(`${sku}: onHand ${onHand}, expected ${String(expectedOnHand[sku])}`);
    const records = state.outbox.filter((record) => record.sku === sku);
    const last = records.at(-1);
    if (last?.onHand !== onHand || last.reserved !== reserved || last.version !== version) {
      problems.push(`${sku}: last outbox record ${JSON.stringify(last)} is not the stock ${JSON.stringify({ onHand, reserved, version })}`);
    }
    records.forEach((record, i) => {
      if (record.version !== i + 1) problems.push(`${sku}: outbox record ${i} has version ${record.version}`);
      if (record.available < 0 || record.reserved < 0 || record.available !== record.onHand - record.reserved) problems.push(`${sku}: outbox record ${JSON.stringify(record)}`);
    });
  }
  for (const sku of pendingBySku.keys()) if (!state.stock.has(sku)) problems.push(`${sku}: reserved by a pending reservation but has no stock record`);
  return problems;
}
