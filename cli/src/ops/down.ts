/** `oms down`'s operation: stop what oms started (and, with `volumes`, wipe its data). */
import type { OpsContext, ProgressHooks } from '../context.js';
import { runSteps, type StepResult } from '../lib/steps.js';
import { stackFor, type RuntimeKind } from './stack.js';

export interface DownResult {
  runtime: RuntimeKind;
  volumes: boolean;
  steps: StepResult[];
}

export async function down(ctx: OpsContext, opts: { volumes: boolean; only?: string[] }, hooks: ProgressHooks = {}): Promise<DownResult> {
  const stack = await stackFor(ctx);
  const steps = await runSteps(stack.downSteps({ volumes: opts.volumes, ...(opts.only ? { only: opts.only } : {}) }), { signal: ctx.signal, onEvent: hooks.onEvent });
  return { runtime: stack.kind, volumes: opts.volumes, steps };
}
