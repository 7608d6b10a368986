/** `oms down`'s operation: stop what oms started (and, with `volumes`, wipe its data). */
import type { OpsContext, ProgressHooks } from '../context.js';
import { runSteps, type Step, type StepResult } from '../lib/steps.js';
import { CONSOLE_ID, stopConsole } from './console.js';
import { KEEPER_ID, withKeeperStopped } from './keeper.js';
import { stackFor, type RuntimeKind } from './stack.js';

export interface DownResult {
  runtime: RuntimeKind;
  volumes: boolean;
  steps: StepResult[];
}

/**
 * Stops the runtime's components and the console; `only` may name `console` or `keeper` alone
 * (`--only keeper`: no more restarts, everything keeps running; the next `oms up` starts it).
 */
export async function down(ctx: OpsContext, opts: { volumes: boolean; only?: string[] }, hooks: ProgressHooks = {}): Promise<DownResult> {
  const stack = await stackFor(ctx);
  const only = opts.only?.filter((id) => id !== CONSOLE_ID && id !== KEEPER_ID);
  const consoleSteps: Step[] = !opts.only || opts.only.includes(CONSOLE_ID) ? [{ id: `stop:${CONSOLE_ID}`, title: 'Stop the console', run: () => stopConsole(ctx) }] : [];
  const runtimeSteps = only?.length === 0 ? [] : stack.downSteps({ volumes: opts.volumes, ...(only ? { only } : {}) });
  // Other `--only`: the keeper stays; it sees the marked pid files (local) or the containers removed (docker) and leaves those components stopped.
  const runtime = !opts.only || opts.only.includes(KEEPER_ID) ? withKeeperStopped(ctx, runtimeSteps) : runtimeSteps;
  const steps = await runSteps([...consoleSteps, ...runtime], { signal: ctx.signal, onEvent: hooks.onEvent });
  return { runtime: stack.kind, volumes: opts.volumes, steps };
}
