import { z } from 'zod';
import { defineCommand } from '../command.js';
import { effectiveConfig } from '../ops/config.js';

/** `oms config`: the effective configuration and where each value came from. */
export const configCommand = defineCommand({
  path: 'config',
  summary: 'print the effective configuration and where each value came from',
  examples: ['oms config                 # every setting, its value and source', 'OMS_PORT_KAFKA=19092 oms config --json   # check an override'],
  schema: z.object({}),
  run: async (_opts, ctx) => {
    const data = effectiveConfig(ctx);
    const rows = data.settings;
    const width = Math.max(...rows.map((r) => r.key.length));
    const vwidth = Math.max(...rows.map((r) => String(r.value).length));
    const lines = rows.map((r) => `${r.key.padEnd(width)}  ${String(r.value).padEnd(vwidth)}  ${r.source.padEnd(7)}  ${r.env}`);
    const header = `config file: ${data.file ?? '(none: oms.config.json in the current directory or the repo root)'}`;
    return { data, text: [header, '', ...lines].join('\n') };
  },
});
