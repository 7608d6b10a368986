import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { CheckFailedError } from '../errors.js';
import { toJUnitXml } from '../lib/junit.js';
import { SmokeFailedError, smokeSuite, type SmokeResult } from './smoke.js';

/** The report as a CI system reads it: attributes by name, repeated tags as arrays. */
function read(xml: string) {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' || name === 'testsuite' }).parse(xml) as {
    testsuites: { tests: string; failures: string; testsuite: Array<{ tests: string; failures: string; skipped: string; time: string; testcase: Array<{ name: string; time: string; failure?: { message: string; '#text'?: string }; skipped?: { message: string } }> }> };
  };
  return doc.testsuites;
}

const started = new Date('2026-11-28T20:00:00.000Z');

describe('smokeSuite', () => {
  it('when the smoke passed, then each hop is a passed case timed by its own delta', () => {
    const result: SmokeResult = {
      orderId: 'o-1',
      customerId: 'c-1',
      restResponseMs: 20,
      totalMs: 91,
      hops: [
        { hop: 'REST commit', atMs: 14, deltaMs: 14 },
        { hop: 'seen on order', atMs: 18, deltaMs: 4 },
        { hop: 'seen on orders-graph', atMs: 31, deltaMs: 13 },
        { hop: 'visible in GraphQL', atMs: 91, deltaMs: 60 },
      ],
      reservation: { reservedMs: 3, confirmedMs: 19 },
      shipment: { requestedMs: 120, visibleMs: 180 },
    };
    const suite = read(toJUnitXml(smokeSuite({ ok: true, result }, started, 95, 'ci')));
    expect(suite).toMatchObject({ tests: '4', failures: '0' });
    expect(suite.testsuite[0]!.testcase.map((c) => [c.name, c.time])).toEqual([
      ['REST commit', '0.014'],
      ['seen on order', '0.004'],
      ['seen on orders-graph', '0.013'],
      ['visible in GraphQL', '0.060'],
    ]);
  });

  it('when a hop stalled, then that case fails with the message and the diagnosis, earlier hops pass and later ones are skipped', () => {
    const err = new SmokeFailedError('order o-2 did not reach GraphQL within 10 s: stalled at "seen on orders-graph" — orders-stream', [
      { hop: 'REST commit', atMs: 12, deltaMs: 12 },
      { hop: 'seen on order', atMs: 20, deltaMs: 8 },
    ], 'seen on orders-graph', 10_020, { details: ['orders-stream consumer lag: unknown — no member in the group'], hint: 'look at `oms logs orders-stream`' });
    const suite = read(toJUnitXml(smokeSuite({ ok: false, error: err }, started, 10_500)));
    expect(suite).toMatchObject({ tests: '4', failures: '1' });
    expect(suite.testsuite[0]!.skipped).toBe('1');
    const [rest, order, graph, gql] = suite.testsuite[0]!.testcase;
    expect(rest!.failure ?? order!.failure).toBeUndefined();
    expect(graph!.failure!.message).toContain('stalled at "seen on orders-graph"');
    expect(graph!.failure!['#text']).toContain('no member in the group');
    expect(graph!.failure!['#text']).toContain('hint: look at `oms logs orders-stream`');
    expect(graph!.time).toBe('10.000');
    expect(gql!.skipped!.message).toBe('not reached: the order stopped at "seen on orders-graph"');
  });

  it('when the smoke failed before an order was placed, then the first hop carries the failure for the whole time spent', () => {
    const suite = read(toJUnitXml(smokeSuite({ ok: false, error: new CheckFailedError('the catalogue is empty: smoke needs a product to order', { hint: 'run `oms seed` first' }) }, started, 1500)));
    expect(suite).toMatchObject({ tests: '4', failures: '1' });
    const [rest, ...later] = suite.testsuite[0]!.testcase;
    expect(rest).toMatchObject({ name: 'REST commit', time: '1.500' });
    expect(rest!.failure!.message).toContain('catalogue is empty');
    expect(later.every((c) => c.skipped !== undefined)).toBe(true);
  });
});
