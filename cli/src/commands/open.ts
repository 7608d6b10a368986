import { z } from 'zod';
import { defineCommand } from '../command.js';
import { open, urlOf } from '../ops/open.js';

/** `oms open [console|graphiql|docs <service>]`: the browser where there is a display, the URL everywhere. */
export const openCommand = defineCommand({
  path: 'open',
  summary: 'open the console, GraphiQL or a service\'s API docs in a browser (prints the URL where there is no display)',
  examples: ['oms open                  # the console (http://127.0.0.1:3080)', 'oms open graphiql', 'oms open docs orders      # the orders service\'s API docs', 'oms open console --json | jq -r .data.url'],
  configure: (cmd) => cmd.argument('[target]', 'console, graphiql or docs', 'console').argument('[service]', 'for docs: customers, products or orders'),
  input: (args) => ({ target: args[0], service: args[1] }),
  schema: z.object({ target: z.string(), service: z.string().optional() }),
  run: async ({ target, service }, ctx) => {
    const { label } = urlOf(ctx, target, service);
    const result = await open(ctx, target, service);
    if (!result.answering) ctx.out.warn(`${label} does not answer at ${result.url} (is the stack up? \`oms status\`)`);
    return { data: result, text: result.opened ? `opened ${result.url}` : result.url };
  },
});
