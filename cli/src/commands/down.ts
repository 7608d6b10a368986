import { z } from 'zod';
import { defineCommand } from '../command.js';
import { down } from '../ops/down.js';

/** `oms down [--volumes]`: stops everything oms started; data stays unless --volumes. */
export const downCommand = defineCommand({
  path: 'down',
  summary: 'stop everything oms started and free its ports (data is kept unless --volumes)',
  examples: ['oms down              # stop; the next `oms up` finds the data again', 'oms down --volumes    # stop and wipe all data (not the download cache)', 'oms down --runtime docker --volumes   # compose down -v: no container, network or volume left'],
  configure: (cmd) => cmd.option('--volumes', 'also delete the data of every component').option('--only <components>', 'stop only these (and what needs them); console stops the console, keeper the keeper (no more automatic restarts until the next `oms up`)'),
  input: (_args, opts) => ({ volumes: opts.volumes === true, only: typeof opts.only === 'string' ? opts.only.split(',').map((s) => s.trim()).filter(Boolean) : undefined }),
  schema: z.object({ volumes: z.boolean(), only: z.array(z.string().min(1)).min(1).optional() }),
  run: async (opts, ctx) => {
    const data = await ctx.out.withSteps((onEvent) => down(ctx, opts, { onEvent }));
    return { data, text: opts.volumes ? 'Stopped; data wiped.' : 'Stopped; data kept (`oms down --volumes` wipes it).' };
  },
});
