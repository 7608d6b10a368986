/**
 * `oms reset --yes` on an isolated stack (own state dir, ports +23000): the first run starts
 * it from nothing, the second wipes a running stack and brings it back seeded. About a
 * minute and a half; the stack is stopped and deleted afterwards.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { okEnvelope, oms, parseJson, shiftedStack, stepResult } from './helpers.js';
import { z } from 'zod';

const stack = shiftedStack('reset', { OMS_SEED_PRODUCTS: '5', OMS_SEED_CUSTOMERS: '2', OMS_SEED_ORDERS: '2' });
afterAll(() => stack.cleanup(), 180_000);

const resetData = z.object({ reset: z.literal(true), runtime: z.literal('local'), totalMs: z.number().int(), steps: z.array(stepResult), endpoints: z.record(z.string(), z.unknown()) });
const customers = `http://127.0.0.1:${String(stack.env.OMS_PORT_CUSTOMERS)}/customers`;

async function findMarker(): Promise<number> {
  const res = await fetch(`${customers}?email=marker-reset%40oms.example`);
  return ((await res.json()) as { items: unknown[] }).items.length;
}

describe('reset', () => {
  it('when reset --yes runs on an empty state dir, then the stack comes up seeded', async () => {
    const res = await oms(['reset', '--yes', '--json'], { env: stack.env, timeoutMs: 600_000 });
    expect(res.exitCode, res.stderr).toBe(0);
    const data = okEnvelope('reset', resetData).parse(parseJson(res.stdout)).data;
    expect(data.steps.find((s) => s.id === 'seed')?.outcome).toContain('5 published');
  });

  it('when reset --yes runs on a running stack, then its data is wiped and it comes back seeded', async () => {
    const created = await fetch(customers, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Marker', lastName: 'Reset', email: 'marker-reset@oms.example', identityDocument: 'MARK-1', active: true, addresses: [] }),
    });
    expect(created.status).toBe(201);
    expect(await findMarker()).toBe(1);

    const res = await oms(['reset', '--yes', '--json'], { env: stack.env, timeoutMs: 600_000 });
    expect(res.exitCode, res.stderr).toBe(0);
    const { steps } = okEnvelope('reset', resetData).parse(parseJson(res.stdout)).data;
    const ids = steps.map((s) => s.id);
    // Wipe first, then start: every stop and the deletion come before the first start.
    expect(ids.indexOf('volumes')).toBeGreaterThan(ids.indexOf('stop:mariadb'));
    expect(ids.indexOf('volumes')).toBeLessThan(ids.indexOf('mariadb'));
    expect(steps.find((s) => s.id === 'stop:mariadb')?.outcome).toMatch(/^stopped/);
    expect(steps.find((s) => s.id === 'seed')?.outcome).toContain('5 published');
    expect(await findMarker()).toBe(0);
  });
});
