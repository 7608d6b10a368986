import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { parseOrderId, renderTrace, type TraceResult } from './trace.js';

describe('parseOrderId', () => {
  it('when the id is a UUID (any case, with spaces around), then it is the lower-case id', () => {
    expect(parseOrderId(' 3F2B8C1E-5D7A-4C0E-9A41-1B2C3D4E5F60 ')).toBe('3f2b8c1e-5d7a-4c0e-9a41-1b2c3d4e5f60');
  });

  it('when the id is not a UUID, then it is a usage error that says what an order id looks like', () => {
    expect(() => parseOrderId('42')).toThrow(UsageError);
    expect(() => parseOrderId('42')).toThrow(/not an order id \(order ids are UUIDs/);
  });
});

describe('renderTrace', () => {
  it('when some hops have times and some not, then each line shows time and delta, and the untimed ones are explained', () => {
    const hop = (id: TraceResult['hops'][number]['id'], at: string | null, deltaMs: number | null, found = true) => ({ id, title: id, found, at, timeSource: null, deltaMs, records: [], detail: `${id} detail`, data: null });
    const text = renderTrace({
      orderId: 'o-1',
      complete: false,
      hops: [hop('mariadb', '2026-01-01T10:00:00.000Z', null), hop('order', '2026-01-01T10:00:00.012Z', 12), hop('postgres', null, null), hop('graphql', null, null, false)],
      totalMs: 12,
      checkedAt: '2026-01-01T10:00:01.000Z',
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe('order o-1  (incomplete: some hops not found)');
    expect(lines[1]).toMatch(/^✔ 10:00:00\.000 {14}mariadb +mariadb detail$/);
    expect(lines[2]).toMatch(/^✔ 10:00:00\.012 +\+12 ms {2}order /);
    expect(lines[4]).toMatch(/^✖ —/);
    expect(text).toContain('total 12 ms');
    expect(text).toContain('(postgres: found, but the store keeps no write time');
  });
});
