import { describe, expect, it } from 'vitest';
import { InterruptedError, runSteps, StepFailure, type Step, type StepEvent } from './steps.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function step(id: string, needs: string[], log: string[], ms = 10, fail = false): Step {
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
    expect(results.map((r) => [r.id, r.outcome])).toEqual([
      ['a', 'a ok'],
      ['b', 'b ok'],
      ['c', 'c ok'],
    ]);
    expect(results.every((r) => r.status === 'ok' && r.ms >= 0)).toBe(true);
  });

  it('when a step fails, then nothing new starts, the running ones settle, and its error is thrown', async () => {
    const log: string[] = [];
    await expect(runSteps([step('a', [], log, 5, true), step('slow', [], log, 40), step('after', ['a'], log)])).rejects.toThrow('a failed');
    expect(log).toContain('end slow');
    expect(log).not.toContain('start after');
  });

  it('when a step fails, then the failure carries every result: the failed one, the settled ones and the skipped ones, and the cause', async () => {
    const log: string[] = [];
    const err = (await runSteps([step('a', [], log, 5, true), step('slow', [], log, 40), step('after', ['a'], log)]).catch((e: unknown) => e)) as StepFailure;
    expect(err).toBeInstanceOf(StepFailure);
    expect(err.step).toMatchObject({ id: 'a', status: 'failed', error: 'a failed' });
    expect(err.results.map((r) => [r.id, r.status])).toEqual([
      ['a', 'failed'],
      ['slow', 'ok'],
      ['after', 'skipped'],
    ]);
    expect((err.cause as Error).message).toBe('a failed');
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

  it('when the signal aborts while a step runs, then that step settles, nothing new starts, and the cause is an InterruptedError', async () => {
    const log: string[] = [];
    const controller = new AbortController();
    const first: Step = { id: 'first', title: 'first', run: async () => (controller.abort(), await wait(10), log.push('end first'), 'done') };
    const err = (await runSteps([first, step('second', ['first'], log)], { signal: controller.signal }).catch((e: unknown) => e)) as StepFailure;
    expect(err).toBeInstanceOf(StepFailure);
    expect(err.cause).toBeInstanceOf(InterruptedError);
    expect(log).toEqual(['end first']);
    expect(err.results.map((r) => [r.id, r.status])).toEqual([
      ['first', 'ok'],
      ['second', 'skipped'],
    ]);
  });

  it('when a step reports progress, then listeners see the plan, then start, progress and done in order', async () => {
    const events: string[] = [];
    const s: Step = { id: 's', title: 'S', run: async (progress) => (progress('half way'), 'all done') };
    await runSteps([s], { onEvent: (e: StepEvent) => events.push(e.type === 'progress' ? `progress ${e.message}` : e.type === 'done' ? `done ${String(e.result.outcome)}` : e.type) });
    expect(events).toEqual(['plan', 'start', 'progress half way', 'done all done']);
  });

  it('when needs form a cycle, then it refuses before running anything', async () => {
    const log: string[] = [];
    await expect(runSteps([step('a', ['b'], log), step('b', ['a'], log)])).rejects.toThrow(/cycle/);
    expect(log).toEqual([]);
  });
});
