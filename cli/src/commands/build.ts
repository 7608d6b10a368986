import { z } from 'zod';
import { execa } from 'execa';
import { defineCommand } from '../command.js';
import { ExternalError } from '../errors.js';

/** `oms build`: compile every workspace (the services the runtime starts and this CLI). */
export const buildCommand = defineCommand({
  path: 'build',
  summary: 'compile the services and the CLI (TypeScript project build)',
  examples: ['oms build                  # incremental: only what changed is rebuilt'],
  schema: z.object({}),
  run: async (_opts, ctx) => {
    const results = await ctx.out.runSteps([
      {
        id: 'typescript',
        title: 'Compile TypeScript (tsc -b)',
        run: async () => {
          const res = await execa('./node_modules/.bin/tsc', ['-b'], { cwd: ctx.repoRoot, reject: false, all: true });
          if (res.exitCode !== 0) {
            throw new ExternalError('the TypeScript build failed', { details: (res.all ?? '').split('\n').slice(-40), hint: 'fix the errors above, then rerun `oms build`' });
          }
        },
      },
    ]);
    return { data: { steps: results } };
  },
});
