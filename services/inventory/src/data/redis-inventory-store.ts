import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { InventoryStore, ReserveResult, RestockOptions, RestockResult, TransitionResult } from '../domain/inventory-service.js';
import { RESERVATION_STATES, stockOf, type Reservation, type ReservationLine, type Shortage, type Stock } from '../domain/inventory.js';
import { defineScript, guardRedis, type ScriptRunner } from './redis.js';
import { CONFIRM_SCRIPT, EXPIRE_SCRIPT, RELEASE_SCRIPT, RESERVE_SCRIPT, RESTOCK_SCRIPT } from './scripts.js';

/** Where the inventory keeps its data in Redis; see data/scripts.ts for what each key holds. */
export interface InventoryKeys {
  stock(sku: string): string;
  reservation(orderId: string): string;
  /** Sorted set: order ids of pending reservations, scored by their deadline (ms). */
  readonly pending: string;
  /** Stream: change records not yet published to the `inventory` topic. */
  readonly outbox: string;
  /** String: the token of the instance that publishes the outbox (a lease with a TTL). */
  readonly outboxLease: string;
  /** Hash: order id → what its late confirm found short (orders placed whose stock was sold meanwhile). */
  readonly oversold: string;
}

/** The key layout under `prefix` (the service's is `inventory:`; tests use one of their own). */
export function inventoryKeys(prefix: string): InventoryKeys {
  return {
    stock: (sku) => `${prefix}stock:${sku}`,
    reservation: (orderId) => `${prefix}reservation:${orderId}`,
    pending: `${prefix}reservations:pending`,
    outbox: `${prefix}outbox`,
    outboxLease: `${prefix}outbox:lease`,
    oversold: `${prefix}oversold`,
  };
}

// --- the scripts' replies, checked at the boundary --------------------------------------------

const msToIso = z.coerce
  .number()
  .int()
  .transform((ms) => new Date(ms).toISOString());

// Stored as canonical JSON: [[sku, quantity], …] sorted by SKU.
const storedLinesSchema = z.array(z.tuple([z.string(), z.number().int().positive()]));

const storedReservationSchema = z
  .object({
    orderId: z.string(),
    state: z.enum(RESERVATION_STATES),
    lines: z.string(),
    createdAt: msToIso,
    updatedAt: msToIso,
    expiresAt: msToIso,
  })
  .transform(({ lines, ...rest }): Reservation => ({
    ...rest,
    lines: storedLinesSchema.parse(JSON.parse(lines)).map(([sku, quantity]) => ({ sku, quantity })),
  }));

const shortagesSchema = z.array(z.object({ sku: z.string(), wanted: z.number().int(), available: z.number().int() }));

const reserveReplySchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.enum(['created', 'existing', 'conflict']), reservation: storedReservationSchema }),
  z.object({ outcome: z.literal('short'), short: shortagesSchema }),
]);

const transitionReplySchema = z.discriminatedUnion('outcome', [
  z.object({ outcome: z.literal('unknown') }),
  z.object({ outcome: z.enum(['changed', 'unchanged']), state: z.enum(RESERVATION_STATES), late: z.boolean().optional() }),
  z.object({ outcome: z.literal('short'), state: z.enum(RESERVATION_STATES), short: shortagesSchema }),
]);

const restockReplySchema = z.object({
  outcome: z.enum(['updated', 'unchanged', 'below-reserved', 'exists']),
  onHand: z.number().int(),
  reserved: z.number().int(),
});

const countSchema = z.coerce.number().int();

function parseReply<S extends z.ZodType>(schema: S, reply: unknown): z.infer<S> {
  return schema.parse(JSON.parse(z.string().parse(reply)));
}

export interface RedisInventoryStoreOptions {
  /** Prefix of every key; see {@link inventoryKeys}. */
  prefix: string;
}

/**
 * The {@link InventoryStore} on Redis: every change is one Lua script (data/scripts.ts), reads
 * are plain commands. Script replies are validated with zod, so a script and this class cannot
 * drift apart silently.
 */
export class RedisInventoryStore implements InventoryStore {
  readonly keys: InventoryKeys;
  private readonly scripts: Record<'reserve' | 'confirm' | 'release' | 'expire' | 'restock', ScriptRunner>;

  constructor(
    private readonly redis: Redis,
    { prefix }: RedisInventoryStoreOptions,
  ) {
    this.keys = inventoryKeys(prefix);
    this.scripts = {
      reserve: defineScript(redis, 'inventoryReserve', RESERVE_SCRIPT),
      confirm: defineScript(redis, 'inventoryConfirm', CONFIRM_SCRIPT),
      release: defineScript(redis, 'inventoryRelease', RELEASE_SCRIPT),
      expire: defineScript(redis, 'inventoryExpire', EXPIRE_SCRIPT),
      restock: defineScript(redis, 'inventoryRestock', RESTOCK_SCRIPT),
    };
  }

  async stocks(skus: readonly string[]): Promise<Array<Stock | null>> {
    const replies = await guardRedis(() => Promise.all(skus.map((sku) => this.redis.hmget(this.keys.stock(sku), 'onHand', 'reserved'))));
    return replies.map(([onHand, reserved], i) => (onHand === null ? null : stockOf(skus[i]!, countSchema.parse(onHand), countSchema.parse(reserved ?? 0))));
  }

  async restock(sku: string, onHand: number, { onlyIfAbsent = false }: RestockOptions = {}): Promise<RestockResult> {
    const reply = await guardRedis(() => this.scripts.restock([this.keys.stock(sku), this.keys.outbox], [sku, onHand, onlyIfAbsent ? 'if-absent' : 'always']));
    const { outcome, onHand: after, reserved } = parseReply(restockReplySchema, reply);
    return { outcome, stock: stockOf(sku, after, reserved) };
  }

  async reserve(orderId: string, lines: readonly ReservationLine[], ttlMs: number): Promise<ReserveResult> {
    const stored = JSON.stringify(lines.map(({ sku, quantity }) => [sku, quantity]));
    const reply = await guardRedis(() => this.scripts.reserve(this.reservationKeys(orderId, lines), [orderId, stored, ttlMs]));
    const parsed = parseReply(reserveReplySchema, reply);
    return parsed.outcome === 'short' ? { outcome: 'short', shortages: parsed.short } : parsed;
  }

  async reservation(orderId: string): Promise<Reservation | null> {
    const fields = await guardRedis(() => this.redis.hgetall(this.keys.reservation(orderId)));
    return Object.keys(fields).length === 0 ? null : storedReservationSchema.parse(fields);
  }

  confirm(orderId: string): Promise<TransitionResult> {
    return this.transition(this.scripts.confirm, orderId);
  }

  async recordOversold(orderId: string, shortages: readonly Shortage[]): Promise<void> {
    // By order id: a redelivered confirm records the same entry again, never a second one.
    await guardRedis(() => this.redis.hset(this.keys.oversold, orderId, JSON.stringify({ shortages })));
  }

  async oversold(): Promise<Array<{ orderId: string; shortages: Shortage[] }>> {
    const entries = await guardRedis(() => this.redis.hgetall(this.keys.oversold));
    return Object.entries(entries).map(([orderId, json]) => ({ orderId, shortages: z.object({ shortages: shortagesSchema }).parse(JSON.parse(json)).shortages }));
  }

  release(orderId: string): Promise<TransitionResult> {
    return this.transition(this.scripts.release, orderId);
  }

  /**
   * Reads due order ids from the pending set by Redis' clock, then expires each with its own
   * script run: atomic per reservation, and safe when several instances sweep at once (the
   * script re-checks state and deadline, so a confirm that won the race stands).
   */
  async expireDue(limit: number): Promise<string[]> {
    const due = await guardRedis(async () => {
      const [seconds, micros] = await this.redis.time();
      const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
      return this.redis.zrangebyscore(this.keys.pending, '-inf', now, 'LIMIT', 0, limit);
    });
    const results = await Promise.all(due.map((orderId) => this.transition(this.scripts.expire, orderId)));
    return due.filter((_, i) => results[i]!.outcome === 'changed');
  }

  /**
   * Runs a transition script. The stock keys it touches are named by the reservation's lines,
   * so they are read first; lines never change once stored, and the script refuses a mismatch.
   */
  private async transition(script: ScriptRunner, orderId: string): Promise<TransitionResult> {
    const stored = await guardRedis(() => this.redis.hget(this.keys.reservation(orderId), 'lines'));
    if (stored === null) {
      // A stray pending entry without its reservation would be swept forever otherwise.
      await guardRedis(() => this.redis.zrem(this.keys.pending, orderId));
      return { outcome: 'unknown' };
    }
    const lines = storedLinesSchema.parse(JSON.parse(stored)).map(([sku, quantity]) => ({ sku, quantity }));
    const reply = await guardRedis(() => script(this.reservationKeys(orderId, lines), [orderId, stored]));
    const parsed = parseReply(transitionReplySchema, reply);
    return parsed.outcome === 'short' ? { outcome: 'short', state: parsed.state, shortages: parsed.short } : parsed;
  }

  private reservationKeys(orderId: string, lines: readonly ReservationLine[]): string[] {
    return [this.keys.reservation(orderId), this.keys.pending, this.keys.outbox, ...lines.map(({ sku }) => this.keys.stock(sku))];
  }
}
