import { createInterface } from 'node:readline/promises';
import { isatty } from 'node:tty';
import { z } from 'zod';
import { defineCommand } from '../command.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { runPreflight } from '../lib/doctor/index.js';
import { endpointsFor } from '../lib/endpoints.js';
import { stackFor, type RuntimeKind } from '../lib/stack.js';
import type { Step, StepResult } from '../output.js';
import { renderEndpoints, upSteps } from './up.js';

/** Asks on the terminal; anything but y/yes (or Ctrl-C) is a no. */
async function confirm(question: string, signal: AbortSignal): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(question, { signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false; // aborted
  } finally {
    rl.close();
  }
}

/** Where the confirmation comes from; a parameter so a test can answer without a terminal. */
export interface ResetIo {
  stdinIsTTY: () => boolean;
  confirm: (question: string, signal: AbortSignal) => Promise<boolean>;
}

const terminal: ResetIo = { stdinIsTTY: () => isatty(0), confirm };

/** Wipes and rebuilds: `down --volumes`, then every `up` step including the seed. */
export async function runReset(ctx: Context, yes: boolean, io: ResetIo = terminal): Promise<{ confirmed: boolean; runtime?: RuntimeKind; steps: StepResult[] }> {
  const stateDir = ctx.loaded.config.stateDir;
  if (!yes && !io.stdinIsTTY()) {
    throw new UsageError('`oms reset` deletes all data of the local stack and needs confirmation, but stdin is not a terminal', {
      hint: 'pass --yes to confirm: `oms reset --yes`',
    });
  }
  const stack = await stackFor(ctx);
  // Nothing is wiped unless the stack can come back: the same checks `oms up` makes first.
  if (stack.kind === 'local') await runPreflight(ctx, {}, 'oms reset');
  if (!yes && !(await io.confirm(`This stops the stack and deletes all its data under ${stateDir} (the download cache stays), then starts and seeds it again. Continue? [y/N] `, ctx.signal))) {
    return { confirmed: false, steps: [] };
  }
  const down: Step[] = stack.downSteps({ volumes: true }).map((s) => ({ id: s.id, title: s.title, needs: s.needs, run: async (progress) => (await s.run(progress)) ?? undefined }));
  const wiped = await ctx.out.runSteps(down, ctx.signal);
  const up = await ctx.out.runSteps(upSteps(ctx, { seed: true }, stack), ctx.signal);
  return { confirmed: true, runtime: stack.kind, steps: [...wiped, ...up] };
}

/** `oms reset`: wipe + up + seed. */
export const resetCommand = defineCommand({
  path: 'reset',
  summary: 'wipe all data and start again: down --volumes, then up with seed (asks first; --yes when not on a terminal)',
  examples: ['oms reset                  # asks for confirmation on a terminal', 'oms reset --yes            # in CI or scripts (stdin not a terminal)'],
  configure: (cmd) => cmd.option('-y, --yes', 'do not ask for confirmation'),
  input: (_args, opts) => ({ yes: opts.yes === true }),
  schema: z.object({ yes: z.boolean() }),
  run: async ({ yes }, ctx) => {
    const started = Date.now();
    const { confirmed, runtime, steps } = await runReset(ctx, yes);
    if (!confirmed) return { data: { reset: false, steps }, text: 'Not confirmed: nothing changed.', exitCode: 1 };
    const endpoints = endpointsFor(ctx.loaded.config);
    const totalMs = Date.now() - started;
    return { data: { reset: true, runtime, totalMs, steps, endpoints }, text: `\nReset in ${(totalMs / 1000).toFixed(1)}s: data wiped, stack up and seeded.\n${renderEndpoints(endpoints)}` };
  },
});
