import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot, violations } from '../test-support/invariants.js';
import { connectTestRedis, deleteKeys, uniquePrefix } from '../test-support/redis.js';
import { RedisInventoryStore } from './redis-inventory-store.js';
import { RedisOutbox } from './redis-outbox.js';

const HOUR = 3_600_000;
let redis: Redis;
const prefixes: string[] = [];

beforeAll(async () => {
  redis = await connectTestRedis();
});

afterAll(async () => {
  for (const prefix of prefixes) await deleteKeys(redis, prefix);
  await redis?.quit();
});

/** A store under a prefix of its own, so every test starts from an empty inventory. */
function freshStore(name: string) {
  const prefix = uniquePrefix(name);
  prefixes.push(prefix);
  const store = new RedisInventoryStore(redis, { prefix });
  return { store, prefix, outbox: new RedisOutbox(redis, store.keys.outbox) };
}

async function expectConsistent(prefix: string, onHand: Record<string, number> = {}): Promise<void> {
  expect(violations(await snapshot(redis, prefix), onHand)).toEqual([]);
}

const line = (sku: string, quantity: number) => ({ sku, quantity });

describe('restock', () => {
  it('when a SKU is restocked, then its count on hand is set and one change record says so', async () => {
    const { store, prefix, outbox } = freshStore('restock');
    expect(await store.restock('SKU-1', 7)).toEqual({ outcome: 'updated', stock: { sku: 'SKU-1', onHand: 7, reserved: 0, available: 7 } });
    expect(await store.restock('SKU-1', 3)).toEqual({ outcome: 'updated', stock: { sku: 'SKU-1', onHand: 3, reserved: 0, available: 3 } });
    const records = (await outbox.read(10)).map((entry) => entry.record);
    expect(records).toMatchObject([
      { sku: 'SKU-1', onHand: 7, reserved: 0, available: 7, version: 1, cause: 'restock' },
      { sku: 'SKU-1', onHand: 3, reserved: 0, available: 3, version: 2, cause: 'restock' },
    ]);
    expect(records[0]).not.toHaveProperty('orderId');
    await expectConsistent(prefix, { 'SKU-1': 3 });
  });

  it('when the count is the one already on hand, then nothing changes and no record is written', async () => {
    const { store, outbox } = freshStore('restock-same');
    await store.restock('SKU-1', 5);
    expect((await store.restock('SKU-1', 5)).outcome).toBe('unchanged');
    expect(await outbox.length()).toBe(1);
  });

  it('when a never-stocked SKU is set to 0, then it gets a record (so the topic learns the SKU)', async () => {
    const { store, outbox } = freshStore('restock-zero');
    expect(await store.stocks(['SKU-0'])).toEqual([null]);
    expect((await store.restock('SKU-0', 0)).outcome).toBe('updated');
    expect(await store.stocks(['SKU-0'])).toEqual([{ sku: 'SKU-0', onHand: 0, reserved: 0, available: 0 }]);
    expect(await outbox.length()).toBe(1);
  });

  it('when the new count is below what pending reservations hold, then it is refused and nothing changes', async () => {
    const { store, prefix } = freshStore('restock-below');
    await store.restock('SKU-1', 10);
    await store.reserve(randomUUID(), [line('SKU-1', 6)], HOUR);
    expect(await store.restock('SKU-1', 5)).toEqual({ outcome: 'below-reserved', stock: { sku: 'SKU-1', onHand: 10, reserved: 6, available: 4 } });
    expect((await store.restock('SKU-1', 6)).stock).toEqual({ sku: 'SKU-1', onHand: 6, reserved: 6, available: 0 });
    await expectConsistent(prefix, { 'SKU-1': 6 });
  });

  it('when a restock is only for a SKU without stock, then a new SKU is set once and a stocked one keeps its counts and reservations', async () => {
    const { store, prefix, outbox } = freshStore('restock-if-absent');
    expect(await store.restock('SKU-1', 10, { onlyIfAbsent: true })).toEqual({ outcome: 'updated', stock: { sku: 'SKU-1', onHand: 10, reserved: 0, available: 10 } });
    const orderId = randomUUID();
    await store.reserve(orderId, [line('SKU-1', 4)], HOUR);
    await store.confirm(orderId);
    await store.reserve(randomUUID(), [line('SKU-1', 2)], HOUR);
    const before = await outbox.length();
    // a second seed run: the counts orders moved stay as they are, and no record is written
    expect(await store.restock('SKU-1', 10, { onlyIfAbsent: true })).toEqual({ outcome: 'exists', stock: { sku: 'SKU-1', onHand: 6, reserved: 2, available: 4 } });
    expect(await outbox.length()).toBe(before);
    // a SKU stocked to 0 (sold out and recorded) has stock too
    await store.restock('SKU-0', 0);
    expect((await store.restock('SKU-0', 5, { onlyIfAbsent: true })).outcome).toBe('exists');
    await expectConsistent(prefix, { 'SKU-1': 6, 'SKU-0': 0 });
  });
});

describe('reserve', () => {
  it('when every line is available, then all are reserved, the reservation is pending until its deadline', async () => {
    const { store, prefix, outbox } = freshStore('reserve');
    await store.restock('A', 10);
    await store.restock('B', 2);
    const orderId = randomUUID();
    const result = await store.reserve(orderId, [line('A', 3), line('B', 2)], 60_000);
    expect(result.outcome).toBe('created');
    if (result.outcome !== 'created') return;
    expect(result.reservation).toMatchObject({ orderId, state: 'pending', lines: [line('A', 3), line('B', 2)] });
    expect(Date.parse(result.reservation.expiresAt) - Date.parse(result.reservation.createdAt)).toBe(60_000);
    expect(await store.stocks(['A', 'B'])).toEqual([
      { sku: 'A', onHand: 10, reserved: 3, available: 7 },
      { sku: 'B', onHand: 2, reserved: 2, available: 0 },
    ]);
    expect(await redis.zscore(store.keys.pending, orderId)).toBe(String(Date.parse(result.reservation.expiresAt)));
    const records = (await outbox.read(10)).map((entry) => entry.record).filter((record) => record.cause === 'reserve');
    expect(records).toMatchObject([
      { sku: 'A', reserved: 3, available: 7, orderId },
      { sku: 'B', reserved: 2, available: 0, orderId },
    ]);
    expect(await store.reservation(orderId)).toEqual(result.reservation);
    await expectConsistent(prefix, { A: 10, B: 2 });
  });

  it('when one line is short, then nothing is reserved and the answer names only the short SKUs with wanted and available', async () => {
    const { store, prefix, outbox } = freshStore('reserve-short');
    await store.restock('A', 10);
    await store.restock('B', 2);
    const orderId = randomUUID();
    const result = await store.reserve(orderId, [line('A', 3), line('B', 5), line('C', 1)], HOUR);
    expect(result).toEqual({
      outcome: 'short',
      shortages: [
        { sku: 'B', wanted: 5, available: 2 },
        { sku: 'C', wanted: 1, available: 0 },
      ],
    });
    expect(await store.stocks(['A', 'B', 'C'])).toEqual([{ sku: 'A', onHand: 10, reserved: 0, available: 10 }, { sku: 'B', onHand: 2, reserved: 0, available: 2 }, null]);
    expect(await store.reservation(orderId)).toBeNull();
    expect(await outbox.length()).toBe(2);
    await expectConsistent(prefix);
  });

  it('when the same order id is reserved again with the same lines, then the same reservation comes back and nothing changes', async () => {
    const { store, prefix, outbox } = freshStore('reserve-retry');
    await store.restock('A', 10);
    const orderId = randomUUID();
    const first = await store.reserve(orderId, [line('A', 4)], HOUR);
    const retries = await Promise.all([1, 2, 3].map(() => store.reserve(orderId, [line('A', 4)], HOUR)));
    for (const retry of retries) expect(retry).toEqual({ ...first, outcome: 'existing' });
    expect((await store.stocks(['A']))[0]).toMatchObject({ reserved: 4 });
    expect(await outbox.length()).toBe(2);
    await expectConsistent(prefix);
  });

  it('when the same order id comes with other lines, then it is a conflict returning the stored reservation', async () => {
    const { store } = freshStore('reserve-conflict');
    await store.restock('A', 10);
    const orderId = randomUUID();
    await store.reserve(orderId, [line('A', 4)], HOUR);
    const result = await store.reserve(orderId, [line('A', 5)], HOUR);
    expect(result).toMatchObject({ outcome: 'conflict', reservation: { orderId, lines: [line('A', 4)] } });
    expect((await store.stocks(['A']))[0]).toMatchObject({ reserved: 4 });
  });

  it('when 200 reservations of one unit race for a stock of 50, then exactly 50 succeed, 50 are confirmed and nothing goes negative', async () => {
    const { store, prefix } = freshStore('reserve-race');
    await store.restock('HOT', 50);
    const orderIds = Array.from({ length: 200 }, () => randomUUID());
    const results = await Promise.all(orderIds.map((orderId) => store.reserve(orderId, [line('HOT', 1)], HOUR)));
    const created = orderIds.filter((_, i) => results[i]!.outcome === 'created');
    expect(created).toHaveLength(50);
    expect(results.filter((r) => r.outcome === 'short')).toHaveLength(150);
    expect(results.find((r) => r.outcome === 'short')).toEqual({ outcome: 'short', shortages: [{ sku: 'HOT', wanted: 1, available: 0 }] });
    await expectConsistent(prefix, { HOT: 50 });

    const confirmed = await Promise.all(created.map((orderId) => store.confirm(orderId)));
    expect(confirmed.every((r) => r.outcome === 'changed')).toBe(true);
    expect(await store.stocks(['HOT'])).toEqual([{ sku: 'HOT', onHand: 0, reserved: 0, available: 0 }]);
    await expectConsistent(prefix, { HOT: 0 });
  });

  it('when multi-line reservations race, then each gets all its lines or none: the scarcer SKU bounds both', async () => {
    const { store, prefix } = freshStore('reserve-all-or-none');
    await store.restock('A', 50);
    await store.restock('B', 30);
    const results = await Promise.all(Array.from({ length: 100 }, () => store.reserve(randomUUID(), [line('A', 1), line('B', 1)], HOUR)));
    expect(results.filter((r) => r.outcome === 'created')).toHaveLength(30);
    expect(await store.stocks(['A', 'B'])).toEqual([
      { sku: 'A', onHand: 50, reserved: 30, available: 20 },
      { sku: 'B', onHand: 30, reserved: 30, available: 0 },
    ]);
    await expectConsistent(prefix, { A: 50, B: 30 });
  });

  it('when Redis has forgotten the scripts (restart, SCRIPT FLUSH), then the next call loads them again by itself', async () => {
    const { store } = freshStore('reserve-noscript');
    await store.restock('A', 1);
    await redis.script('FLUSH');
    expect((await store.reserve(randomUUID(), [line('A', 1)], HOUR)).outcome).toBe('created');
  });
});

describe('confirm and release', () => {
  it('when a pending reservation is confirmed, then its units leave onHand and reserved, once however often it is confirmed', async () => {
    const { store, prefix } = freshStore('confirm');
    await store.restock('A', 10);
    const orderId = randomUUID();
    await store.reserve(orderId, [line('A', 4)], HOUR);
    expect(await store.confirm(orderId)).toEqual({ outcome: 'changed', state: 'confirmed' });
    expect(await store.confirm(orderId)).toEqual({ outcome: 'unchanged', state: 'confirmed' });
    expect(await store.stocks(['A'])).toEqual([{ sku: 'A', onHand: 6, reserved: 0, available: 6 }]);
    expect(await redis.zscore(store.keys.pending, orderId)).toBeNull();
    await expectConsistent(prefix, { A: 6 });
  });

  it('when a confirmed reservation is released, then its units return to onHand, and a second release changes nothing', async () => {
    const { store, prefix } = freshStore('release-confirmed');
    await store.restock('A', 10);
    const orderId = randomUUID();
    await store.reserve(orderId, [line('A', 4)], HOUR);
    await store.confirm(orderId);
    expect(await store.release(orderId)).toEqual({ outcome: 'changed', state: 'released' });
    expect(await store.release(orderId)).toEqual({ outcome: 'unchanged', state: 'released' });
    expect(await store.stocks(['A'])).toEqual([{ sku: 'A', onHand: 10, reserved: 0, available: 10 }]);
    await expectConsistent(prefix, { A: 10 });
  });

  it('when a pending reservation is released, then its units return to available and a late confirm changes nothing', async () => {
    const { store, prefix } = freshStore('release-pending');
    await store.restock('A', 10);
    const orderId = randomUUID();
    await store.reserve(orderId, [line('A', 4)], HOUR);
    expect(await store.release(orderId)).toEqual({ outcome: 'changed', state: 'released' });
    expect(await store.confirm(orderId)).toEqual({ outcome: 'unchanged', state: 'released' });
    expect(await store.stocks(['A'])).toEqual([{ sku: 'A', onHand: 10, reserved: 0, available: 10 }]);
    await expectConsistent(prefix, { A: 10 });
  });

  it('when there is no reservation for the order, then confirm and release say unknown and change nothing', async () => {
    const { store, outbox } = freshStore('unknown');
    expect(await store.confirm(randomUUID())).toEqual({ outcome: 'unknown' });
    expect(await store.release(randomUUID())).toEqual({ outcome: 'unknown' });
    expect(await outbox.length()).toBe(0);
  });
});

describe('expiry', () => {
  it('when a pending reservation outlives its TTL, then the sweep expires it once and its stock returns', async () => {
    const { store, prefix } = freshStore('expire');
    await store.restock('A', 10);
    const orderId = randomUUID();
    const kept = randomUUID();
    await store.reserve(orderId, [line('A', 4)], 200);
    await store.reserve(kept, [line('A', 1)], HOUR);
    expect(await store.expireDue(100)).toEqual([]);
    await sleep(250);
    expect(await store.expireDue(100)).toEqual([orderId]);
    expect(await store.expireDue(100)).toEqual([]);
    expect(await store.reservation(orderId)).toMatchObject({ state: 'expired' });
    expect(await store.stocks(['A'])).toEqual([{ sku: 'A', onHand: 10, reserved: 1, available: 9 }]);
    expect(await store.release(orderId)).toEqual({ outcome: 'unchanged', state: 'expired' });
    await expectConsistent(prefix, { A: 10 });
  });

  it('when the order shows up after its reservation expired and the stock is still there, then it is confirmed late', async () => {
    const { store, prefix } = freshStore('expire-late');
    await store.restock('A', 10);
    const orderId = randomUUID();
    await store.reserve(orderId, [line('A', 4)], 50);
    await sleep(80);
    await store.expireDue(100);
    expect(await store.confirm(orderId)).toEqual({ outcome: 'changed', state: 'confirmed', late: true });
    expect(await store.stocks(['A'])).toEqual([{ sku: 'A', onHand: 6, reserved: 0, available: 6 }]);
    await expectConsistent(prefix, { A: 6 });
  });

  it('when the order shows up after its reservation expired and the stock was sold meanwhile, then confirm reports the shortage and changes nothing', async () => {
    const { store, prefix } = freshStore('expire-sold');
    await store.restock('A', 4);
    const orderId = randomUUID();
    await store.reserve(orderId, [line('A', 4)], 50);
    await sleep(80);
    await store.expireDue(100);
    const other = randomUUID();
    await store.reserve(other, [line('A', 3)], HOUR);
    expect(await store.confirm(orderId)).toEqual({ outcome: 'short', state: 'expired', shortages: [{ sku: 'A', wanted: 4, available: 1 }] });
    expect(await store.stocks(['A'])).toEqual([{ sku: 'A', onHand: 4, reserved: 3, available: 1 }]);
    await expectConsistent(prefix, { A: 4 });
  });

  it('when confirms race the sweep for overdue reservations, then each ends confirmed or expired, never both, and the counts agree', async () => {
    const { store, prefix } = freshStore('expire-race');
    // Exactly the stock the reservations take, so a confirm that loses to the sweep can only be
    // confirmed late with units another expiry returned.
    await store.restock('A', 80);
    const orderIds = Array.from({ length: 40 }, () => randomUUID());
    for (const orderId of orderIds) await store.reserve(orderId, [line('A', 2)], 1);
    await sleep(20);
    const [confirms] = await Promise.all([Promise.all(orderIds.map((orderId) => store.confirm(orderId))), store.expireDue(100), store.expireDue(100)]);
    const states = await Promise.all(orderIds.map(async (orderId) => (await store.reservation(orderId))!.state));
    const confirmedCount = states.filter((state) => state === 'confirmed').length;
    expect(confirmedCount + states.filter((state) => state === 'expired').length).toBe(40);
    expect(confirms.filter((r) => r.outcome === 'changed')).toHaveLength(confirmedCount);
    await expectConsistent(prefix, { A: 80 - 2 * confirmedCount });
  });
});

describe('outbox', () => {
  it('when entries are read but not acknowledged, then they are read again; once acknowledged, they are gone', async () => {
    const { store, outbox } = freshStore('outbox');
    for (const count of [1, 2, 3]) await store.restock('A', count);
    const first = await outbox.read(2);
    expect(first.map((entry) => entry.record.onHand)).toEqual([1, 2]);
    expect((await outbox.read(2)).map((entry) => entry.id)).toEqual(first.map((entry) => entry.id));
    await outbox.ack(first[1]!.id);
    await outbox.ack(first[1]!.id);
    const rest = await outbox.read(10);
    expect(rest.map((entry) => entry.record)).toMatchObject([{ sku: 'A', onHand: 3, version: 3 }]);
  });
});
