import { z } from 'zod';
import { defineCommand } from '../command.js';
import { UsageError } from '../errors.js';
import { CONSOLE_ID, consoleLogFile, consoleLogs } from '../ops/console.js';
import { stackFor } from '../ops/stack.js';

/** `oms logs <component> [-f] [-n N]`: a component's log, from the state dir. */
export const logsCommand = defineCommand({
  path: 'logs',
  summary: "print a component's log (infra process or service); -f follows",
  examples: ['oms logs connect -n 200      # last 200 lines of Kafka Connect', 'oms logs orders-stream -f    # follow the stream processor (Ctrl-C stops)', 'oms logs                     # list the components'],
  configure: (cmd) => cmd.argument('[component]', 'component name').option('-f, --follow', 'keep printing new lines').option('-n, --lines <n>', 'lines from the end', '100'),
  input: (args, opts) => ({ component: args[0], follow: opts.follow === true, lines: opts.lines }),
  schema: z.object({ component: z.string().optional(), follow: z.boolean(), lines: z.coerce.number().int().min(0).max(1_000_000) }),
  run: async ({ component, follow, lines }, ctx) => {
    const runtime = await stackFor(ctx);
    // The console runs on the host for both runtimes: its log is always a file.
    const ids = [...runtime.componentIds(), CONSOLE_ID];
    const logFile = (id: string) => (id === CONSOLE_ID ? consoleLogFile(ctx) : runtime.logFile(id));
    if (!component) {
      return { data: { components: ids.map((id) => ({ id, logFile: logFile(id) })) }, text: ['components with logs:', ...ids.map((id) => `  ${id.padEnd(14)} ${logFile(id)}`)].join('\n') };
    }
    if (!ids.includes(component)) throw new UsageError(`no component named "${component}"`, { hint: `one of: ${ids.join(', ')}` });
    const collected: string[] = [];
    const opts = { lines, follow, signal: ctx.signal };
    for await (const line of component === CONSOLE_ID ? consoleLogs(ctx, opts) : runtime.logs(component, opts)) {
      if (ctx.out.mode === 'json') collected.push(line);
      else ctx.out.print(line);
    }
    return { data: { component, logFile: logFile(component), lines: collected } };
  },
});
