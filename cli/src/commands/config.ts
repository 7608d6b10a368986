import { z } from 'zod';
import { defineCommand } from '../command.js';
import { SETTINGS } from '../config.js';

function valueAt(config: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown> | undefined)?.[part], config);
}

/** `oms config`: the effective configuration and where each value came from. */
export const configCommand = defineCommand({
  path: 'config',
  summary: 'print the effective configuration and where each value came from',
  examples: ['oms config                 # every setting, its value and source', 'OMS_PORT_KAFKA=19092 oms config --json   # check an override'],
  schema: z.object({}),
  run: async (_opts, ctx) => {
    const { config, sources, file } = ctx.loaded;
    const rows = SETTINGS.map((s) => ({ key: s.key, value: valueAt(config, s.key), source: sources[s.key] ?? 'default', env: s.env, doc: s.doc }));
    const width = Math.max(...rows.map((r) => r.key.length));
    const vwidth = Math.max(...rows.map((r) => String(r.value).length));
    const lines = rows.map((r) => `${r.key.padEnd(width)}  ${String(r.value).padEnd(vwidth)}  ${r.source.padEnd(7)}  ${r.env}`);
    const header = `config file: ${file ?? '(none: oms.config.json in the current directory or the repo root)'}`;
    return { data: { file: file ?? null, settings: rows }, text: [header, '', ...lines].join('\n') };
  },
});
