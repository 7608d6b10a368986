import { z } from 'zod';
import { defineCommand } from '../command.js';
import { runKeeper } from '../ops/keeper.js';

/** `oms keeper`: the stack's supervisor process, on either runtime (`oms up` starts it detached; `oms down` stops it). */
export const keeperCommand = defineCommand({
  path: 'keeper',
  summary: 'restart components (processes or containers) that exit unexpectedly, with backoff, until interrupted (`oms up` starts it in the background; `oms down` stops it)',
  examples: ['oms keeper             # in the foreground (oms up already runs one per state dir: see `oms status`)'],
  schema: z.object({}),
  run: async (_opts, ctx) => {
    const why = await runKeeper(ctx, (line) => ctx.out.info(line));
    return { data: { ended: why }, text: `keeper ended: ${why}` };
  },
});
