import { createInterface } from 'node:readline/promises';
import { isatty } from 'node:tty';
import { z } from 'zod';
import { defineCommand } from '../command.js';
import { endpointsFor } from '../lib/endpoints.js';
import { type Confirmation, reset } from '../ops/reset.js';
import { renderEndpoints } from '../render.js';

/** Asks on the terminal; anything but y/yes (or Ctrl-C) is a no. */
const terminal: Confirmation = {
  canAsk: () => isatty(0),
  async confirm(question, signal) {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      const answer = await rl.question(question, { signal });
      return /^y(es)?$/i.test(answer.trim());
    } catch {
      return false; // aborted
    } finally {
      rl.close();
    }
  },
};

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
    const { confirmed, runtime, steps } = await ctx.out.withSteps((onEvent) => reset(ctx, yes, terminal, { onEvent, onNotice: (m) => ctx.out.info(m) }));
    if (!confirmed) return { data: { reset: false, steps }, text: 'Not confirmed: nothing changed.', exitCode: 1 };
    const endpoints = endpointsFor(ctx.loaded.config);
    const totalMs = Date.now() - started;
    return { data: { reset: true, runtime, totalMs, steps, endpoints }, text: `\nReset in ${(totalMs / 1000).toFixed(1)}s: data wiped, stack up and seeded.\n${renderEndpoints(endpoints)}` };
  },
});
