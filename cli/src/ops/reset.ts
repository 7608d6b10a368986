/** `oms reset`'s operation: wipe and rebuild, the `down --volumes` steps then every `up` step including the seed. */
import type { OpsContext, ProgressHooks } from '../context.js';
import { UsageError } from '../errors.js';
import { runSteps, type StepResult } from '../lib/steps.js';
import { chooseStack, rememberStackRuntime, type RuntimeKind } from './stack.js';
import { withKeeperStopped } from './keeper.js';
import { announceSwitch, checkLocalRuntime, upSteps } from './up.js';

/** Where the confirmation comes from: the terminal for the CLI, a fake in tests. */
export interface Confirmation {
  /** Whether someone can be asked (stdin is a terminal). */
  canAsk(): boolean;
  /** Asks; anything but yes (or Ctrl-C) is a no. */
  confirm(question: string, signal: AbortSignal): Promise<boolean>;
}

export interface ResetResult {
  confirmed: boolean;
  runtime?: RuntimeKind;
  steps: StepResult[];
}

/** Wipes and rebuilds; nothing is wiped unless the stack can come back (the checks `up` makes first) and it was confirmed. */
export async function reset(ctx: OpsContext, yes: boolean, confirmation: Confirmation, hooks: ProgressHooks = {}): Promise<ResetResult> {
  const stateDir = ctx.loaded.config.stateDir;
  if (!yes && !confirmation.canAsk()) {
    throw new UsageError('`oms reset` deletes all data of the local stack and needs confirmation, but stdin is not a terminal', {
      hint: 'pass --yes to confirm: `oms reset --yes`',
    });
  }
  const { stack } = await chooseStack(ctx, { onChoice: async (c) => {
    await announceSwitch(ctx, c.kind, hooks);
  } });
  const question = `This stops the stack and deletes all its data under ${stateDir} (the download cache stays), then starts and seeds it again. Continue? [y/N] `;
  if (stack.kind === 'local') await checkLocalRuntime(ctx, undefined, hooks, 'oms reset');
  if (!yes && !(await confirmation.confirm(question, ctx.signal))) return { confirmed: false, steps: [] };
  await rememberStackRuntime(ctx, stack.kind);
  const run = { signal: ctx.signal, onEvent: hooks.onEvent };
  const wiped = await runSteps(withKeeperStopped(ctx, stack.downSteps({ volumes: true })), run);
  const upped = await runSteps(upSteps(ctx, { seed: true }, stack), run);
  return { confirmed: true, runtime: stack.kind, steps: [...wiped, ...upped] };
}
