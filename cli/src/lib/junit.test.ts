import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { githubAnnotations, toJUnitXml, type JUnitSuite } from './junit.js';

/** Parses the document as a CI system would; attributes keep their names, repeated tags are arrays. */
function parse(xml: string) {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => name === 'testcase' || name === 'testsuite', parseAttributeValue: false });
  return parser.parse(xml) as {
    testsuites: {
      name: string;
      tests: string;
      failures: string;
      time: string;
      testsuite: Array<{ name: string; tests: string; failures: string; errors: string; skipped: string; time: string; timestamp: string; testcase: Array<{ name: string; classname: string; time: string; failure?: { message: string; type: string; '#text'?: string }; skipped?: { message: string } }>; 'system-out'?: string }>;
    };
  };
}

const passing: JUnitSuite = {
  name: 'oms smoke',
  timestamp: new Date('2026-11-28T20:00:00.123Z'),
  hostname: 'ci-runner',
  cases: [
    { name: 'REST commit', classname: 'oms.smoke', timeMs: 14 },
    { name: 'seen on order', classname: 'oms.smoke', timeMs: 4 },
    { name: 'seen on orders-graph', classname: 'oms.smoke', timeMs: 13 },
    { name: 'visible in GraphQL', classname: 'oms.smoke', timeMs: 60 },
  ],
  systemOut: 'order 12ea7906',
};

const failing: JUnitSuite = {
  ...passing,
  cases: [
    { name: 'REST commit', classname: 'oms.smoke', timeMs: 14 },
    { name: 'seen on order', classname: 'oms.smoke', timeMs: 4 },
    {
      name: 'seen on orders-graph',
      classname: 'oms.smoke',
      timeMs: 60_000,
      failure: { message: 'stalled at "seen on orders-graph" — orders-stream', type: 'StalledHop', details: 'orders-stream consumer lag:\n  order[0] committed 4 end 9 lag 5 <&> "quoted"' },
    },
    { name: 'visible in GraphQL', classname: 'oms.smoke', timeMs: 0, skipped: 'not reached: an earlier hop stalled' },
  ],
};

describe('toJUnitXml', () => {
  it('when every case passed, then a parser reads one suite with the counts, times and case names CI systems show', () => {
    const doc = parse(toJUnitXml(passing));
    expect(doc.testsuites).toMatchObject({ name: 'oms smoke', tests: '4', failures: '0', time: '0.091' });
    const suite = doc.testsuites.testsuite[0]!;
    expect(suite).toMatchObject({ name: 'oms smoke', tests: '4', failures: '0', errors: '0', skipped: '0', time: '0.091', timestamp: '2026-11-28T20:00:00Z', 'system-out': 'order 12ea7906' });
    expect(suite.testcase.map((c) => [c.name, c.classname, c.time])).toEqual([
      ['REST commit', 'oms.smoke', '0.014'],
      ['seen on order', 'oms.smoke', '0.004'],
      ['seen on orders-graph', 'oms.smoke', '0.013'],
      ['visible in GraphQL', 'oms.smoke', '0.060'],
    ]);
    expect(suite.testcase.every((c) => c.failure === undefined && c.skipped === undefined)).toBe(true);
  });

  it('when a hop stalled, then its case carries the failure with message, type and the diagnosis, and the later hop is skipped', () => {
    const doc = parse(toJUnitXml(failing));
    const suite = doc.testsuites.testsuite[0]!;
    expect(suite).toMatchObject({ tests: '4', failures: '1', skipped: '1' });
    expect(doc.testsuites.failures).toBe('1');
    const stalled = suite.testcase.find((c) => c.name === 'seen on orders-graph')!;
    expect(stalled.failure).toMatchObject({ message: 'stalled at "seen on orders-graph" — orders-stream', type: 'StalledHop' });
    expect(stalled.failure!['#text']).toBe('orders-stream consumer lag:\n  order[0] committed 4 end 9 lag 5 <&> "quoted"');
    expect(suite.testcase.find((c) => c.name === 'visible in GraphQL')!.skipped).toEqual({ message: 'not reached: an earlier hop stalled' });
  });

  it('when text holds control characters XML cannot carry, then they are dropped and the document still parses', () => {
    const xml = toJUnitXml({ ...passing, systemOut: 'a\u0000b\u001bc' });
    expect(parse(xml).testsuites.testsuite[0]!['system-out']).toBe('abc');
  });
});

describe('githubAnnotations', () => {
  it('when a case failed, then one ::error line names the suite and hop and keeps the diagnosis on escaped newlines', () => {
    const lines = githubAnnotations(failing);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^::error title=oms smoke%3A seen on orders-graph::stalled at "seen on orders-graph"/);
    expect(lines[0]).toContain('%0A  order[0] committed 4');
    expect(lines[0]).not.toContain('\n');
  });

  it('when every case passed, then one ::notice line gives the count and each hop time', () => {
    expect(githubAnnotations(passing)).toEqual(['::notice title=oms smoke::4 checks passed in 91 ms: REST commit 14 ms, seen on order 4 ms, seen on orders-graph 13 ms, visible in GraphQL 60 ms']);
  });
});
