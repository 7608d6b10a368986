import { describe, expect, it } from 'vitest';
import { type RuntimeStep, runSteps } from './steps.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function step(id: string, needs: string[], log: string[], ms = 10, fail = false): RuntimeStep {
  return {
    id,
    title: id,
    needs,
    async run() {
      log.push(`start ${id}`);
      await wait(ms);
      if (fail) throw new Error(`${id} failed`);
      log.push(`end ${id}`);
      return `${id} ok`;
    },
  };
}

describe('runSteps', () => {
  it('when steps are independent, then they run at once; a dependent one waits for its needs', async () => {
    const log: string[] = [];
    const results = await runSteps([step('a', [], log, 30), step('b', [], log, 10), step('c', ['a', 'b'], log)]);
    expect(log.slice(0, 2)).toEqual(['start a', 'start b']);
    expect(log.indexOf('start c')).toBeGreaterThan(log.indexOf('end a'));
    expect(results.map((r) => [r.id, r.result])).toEqual([
      ['a', 'a ok'],
      ['b', 'b ok'],
      ['c', 'c ok'],
    ]);
  });

  it('when a step fails, then nothing new starts, the running ones settle, and its error is thrown', async () => {
    const log: string[] = [];
    await expect(runSteps([step('a', [], log, 5, true), step('slow', [], log, 40), step('after', ['a'], log)])).rejects.toThrow('a failed');
    expect(log).toContain('end slow');
    expect(log).not.toContain('start after');
  });

  it('when needs name steps not in the list, then they are ignored', async () => {
    const log: string[] = [];
    await runSteps([step('x', ['not-selected'], log)]);
    expect(log).toEqual(['start x', 'end x']);
  });

  it('when concurrency is 1, then steps run one by one in order', async () => {
    const log: string[] = [];
    await runSteps([step('a', [], log), step('b', [], log)], { concurrency: 1 });
    expect(log).toEqual(['start a', 'end a', 'start b', 'end b']);
  });
});
