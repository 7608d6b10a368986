/**
 * Desired state, run twice: on the running stack (default ports) a second `oms up` and a
 * second `oms connectors submit` change nothing. Both only read when nothing differs.
 */
import { describe, expect, it } from 'vitest';
import { okEnvelope, oms, parseJson, schemas } from './helpers.js';

/** What a step of `oms up` says when it found its part already as desired. */
const UNCHANGED = /^(up to date|cached in .+|already running \(pid \d+\)|all present|unchanged, all RUNNING|already seeded|Java \d+.*already running.*)$/;

describe('rerunning on a running stack', () => {
  it('when oms up runs on the running stack, then every step reports nothing to do, it exits 0, and it is fast', async () => {
    const res = await oms(['up', '--json'], { timeoutMs: 300_000 });
    expect(res.exitCode, res.stderr).toBe(0);
    const data = okEnvelope('up', schemas.up).parse(parseJson(res.stdout)).data;
    const changed = data.steps.filter((s) => s.status !== 'ok' || !UNCHANGED.test(s.outcome ?? ''));
    expect(changed, 'steps that did something').toEqual([]);
    expect(data.steps.map((s) => s.id)).toEqual(expect.arrayContaining(['prerequisites', 'mariadb', 'kafka', 'connect', 'topics', 'connectors', 'seed']));
    expect(res.ms).toBeLessThan(10_000);
  });

  it('when connectors submit runs twice, then the second run reports every connector unchanged', async () => {
    const first = await oms(['connectors', 'submit', '--json']);
    expect(first.exitCode, first.stderr).toBe(0);
    const second = await oms(['connectors', 'submit', '--json']);
    expect(second.exitCode, second.stderr).toBe(0);
    const data = okEnvelope('connectors submit', schemas.connectorsSubmit).parse(parseJson(second.stdout)).data;
    expect(data.connectors.length).toBeGreaterThan(0);
    expect(data.connectors.map((c) => c.action)).toEqual(data.connectors.map(() => 'unchanged'));
    expect(data.connectors.every((c) => c.changes.length === 0)).toBe(true);
  });
});
