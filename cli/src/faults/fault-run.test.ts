import { describe, expect, it } from 'vitest';
import { renderTable, type RowResult, verdict } from './fault-run.js';

const clean: Omit<RowResult, 'problems' | 'samples'> = { component: 'kafka', accepted: 600, refused: 0, unreachable: 0, other: 0, lost: 0, duplicated: 0, extra: 0, wrongTotal: 0, recoverSeconds: 21.4 };

describe('fault battery verdict', () => {
  it('when every accepted order arrived once and every other answer was a 503, then the row passes', () => {
    expect(verdict({ ...clean, refused: 40 })).toEqual([]);
  });

  it('when an order is lost, duplicated, extra or wrongly totalled, then each is named', () => {
    const problems = verdict({ ...clean, lost: 2, duplicated: 1, extra: 3, wrongTotal: 4 });
    expect(problems).toEqual([
      '2 accepted order(s) never reached GraphQL',
      '1 order(s) listed more than once',
      '3 order(s) in GraphQL that were never answered 201',
      '4 order(s) with a wrong total',
    ]);
  });

  it('when an answer was neither 201 nor 503, then the row fails', () => {
    expect(verdict({ ...clean, other: 5 })).toEqual(['5 answer(s) neither 201 nor 503']);
  });

  it('when requests got no answer, then the row fails unless the orders service itself was the one killed', () => {
    expect(verdict({ ...clean, component: 'mariadb', unreachable: 3 })).toEqual(['3 request(s) got no answer while mariadb was down']);
    expect(verdict({ ...clean, component: 'orders', unreachable: 3 })).toEqual([]);
  });

  it('when the orders service itself is killed, then orders whose answer was cut off may exist (in doubt), but no more than were cut off', () => {
    expect(verdict({ ...clean, component: 'orders', unreachable: 90, inDoubt: 1, extra: 1 })).toEqual([]);
    expect(verdict({ ...clean, component: 'orders', unreachable: 90, inDoubt: 1, extra: 2 })).toEqual(['1 order(s) in GraphQL that were never answered 201']);
    expect(verdict({ ...clean, component: 'mariadb', unreachable: 1, inDoubt: 1, extra: 1 })).toEqual(['1 order(s) in GraphQL that were never answered 201', '1 request(s) got no answer while mariadb was down']);
  });

  it('when nothing was accepted, then the row fails (a battery that placed nothing proves nothing)', () => {
    expect(verdict({ ...clean, accepted: 0, refused: 600 })).toEqual(['no order was accepted at all']);
  });
});

describe('fault battery table', () => {
  it('when a row fails, then it says FAIL with its reasons and examples under the table, and an unrecovered one says never', () => {
    const text = renderTable([
      { ...clean, problems: [], samples: [] },
      { ...clean, component: 'mariadb', other: 2, recoverSeconds: null, problems: ['not healthy by itself within 150s of the kill', '2 answer(s) neither 201 nor 503'], samples: ['HTTP 500: {"error":"internal"}'] },
    ]);
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^COMPONENT\s+ACCEPTED\s+REFUSED\(503\)\s+NO-ANSWER\s+OTHER\s+LOST\s+DUPLICATED\s+EXTRA\s+BAD-TOTAL\s+RECOVER\(s\)\s+RESULT$/);
    expect(lines[1]).toMatch(/^kafka\s+600\s+0\s+0\s+0\s+0\s+0\s+0\s+0\s+21\.4\s+ok$/);
    expect(lines[2]).toMatch(/^mariadb\s.*\snever\s+FAIL$/);
    expect(text).toContain('mariadb: not healthy by itself within 150s of the kill; 2 answer(s) neither 201 nor 503\n  e.g. HTTP 500: {"error":"internal"}');
  });
});
