import { describe, expect, it } from 'vitest';
import type { TransitionResult } from './inventory-service.js';
import { applyOrderChange, parseOrderChange } from './order-changes.js';

const ID = '3eb17d6f-4051-4c83-9dce-3f4a5b6c7d8e';
const key = JSON.stringify({ order_id: ID });
const row = (extra: Record<string, unknown> = {}) => JSON.stringify({ id: ID, customer_id: 'c', line_count: 2, created_at: 1767225600000, updated_at: 1767225600000, __deleted: 'false', ...extra });

describe('parseOrderChange', () => {
  it('when a placed row arrives, then its reservation is confirmed', () => {
    expect(parseOrderChange(key, row({ status: 'placed' }))).toEqual({ orderId: ID, action: 'confirm' });
  });

  it('when a row has no status (written before orders could be cancelled), then it is placed', () => {
    expect(parseOrderChange(key, row())).toEqual({ orderId: ID, action: 'confirm' });
    expect(parseOrderChange(key, row({ status: null }))).toEqual({ orderId: ID, action: 'confirm' });
  });

  it('when a row turned cancelled, then its stock is released', () => {
    expect(parseOrderChange(Buffer.from(key), Buffer.from(row({ status: 'cancelled', cancelled_at: 1767229200000 })))).toEqual({ orderId: ID, action: 'release' });
  });

  it('when the id is upper-case or only in the key, then the order id is the lower-case one', () => {
    expect(parseOrderChange(key, row({ id: ID.toUpperCase() }))).toEqual({ orderId: ID, action: 'confirm' });
    expect(parseOrderChange(key, JSON.stringify({ status: 'cancelled' }))).toEqual({ orderId: ID, action: 'release' });
  });

  it('when the record is a tombstone or a delete, then there is nothing to do', () => {
    expect(parseOrderChange(key, null)).toEqual({ kind: 'ignore', reason: 'tombstone' });
    expect(parseOrderChange(key, row({ __deleted: 'true' }))).toEqual({ kind: 'ignore', reason: 'delete' });
  });

  it('when the record cannot be read, then it is invalid with the reason', () => {
    expect(parseOrderChange(key, '{nope')).toEqual({ kind: 'invalid', reason: 'value is not JSON' });
    expect(parseOrderChange(null, JSON.stringify({ status: 'placed' }))).toEqual({ kind: 'invalid', reason: 'no order id in the value or the key' });
    expect(parseOrderChange(key, row({ status: 'shipped' }))).toEqual({ kind: 'invalid', reason: `order ${ID} has an unknown status "shipped"` });
    expect(parseOrderChange(key, '[1]')).toMatchObject({ kind: 'invalid', reason: expect.stringMatching(/^not an order row/) });
  });
});

describe('applyOrderChange', () => {
  /** A fake of the Inventory's confirm and release that answers as told and records what was asked. */
  const inventoryAnswering = (result: TransitionResult) => {
    const asked: string[] = [];
    return {
      asked,
      confirm: async (orderId: string) => (asked.push(`confirm ${orderId}`), result),
      release: async (orderId: string) => (asked.push(`release ${orderId}`), result),
    };
  };

  it.each([
    ['confirm', { outcome: 'changed', state: 'confirmed' }, 'confirmed'],
    ['release', { outcome: 'changed', state: 'released' }, 'released'],
    ['confirm', { outcome: 'unchanged', state: 'confirmed' }, 'unchanged'],
    ['release', { outcome: 'unknown' }, 'unknown'],
    ['confirm', { outcome: 'short', state: 'expired', shortages: [{ sku: 'S', wanted: 2, available: 0 }] }, 'oversold'],
  ] as const)('when a %s answers %j, then the outcome is %s', async (action, result, outcome) => {
    const inventory = inventoryAnswering(result as TransitionResult);
    expect((await applyOrderChange(inventory, { orderId: ID, action })).outcome).toBe(outcome);
    expect(inventory.asked).toEqual([`${action} ${ID}`]);
  });
});
