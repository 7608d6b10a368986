import { z } from 'zod';
import { defineCommand } from '../command.js';
import { type ReportResult, writeReport } from '../ops/report.js';

export function renderReport(r: ReportResult): string {
  const failed = r.files.filter((f) => f.error);
  const lines = [`wrote ${r.path} (${(r.bytes / 1024).toFixed(0)} KB, ${r.files.length} files)`];
  for (const f of r.files) lines.push(`  ${f.name.padEnd(28)} ${f.error ? `(not collected: ${f.error})` : `${f.bytes} bytes`}`);
  if (failed.length > 0) lines.push(`${failed.length} part(s) could not be collected; each file says why.`);
  return lines.join('\n');
}

/** `oms report`: one .tar.gz with status, connectors, topics, lag, config, doctor and every log, for CI artifacts. */
export const reportCommand = defineCommand({
  path: 'report',
  summary: 'write one .tar.gz for CI artifacts: status, connectors, topics, lag, config, doctor checks and each log',
  examples: [
    'oms report                              # ./oms-report-<timestamp>.tar.gz',
    'oms report --out artifacts/oms.tar.gz   # where CI collects artifacts',
    'oms report --json | jq -r .data.path',
  ],
  configure: (cmd) => cmd.option('-o, --out <file>', 'archive path (default ./oms-report-<timestamp>.tar.gz)'),
  schema: z.object({ out: z.string().min(1).optional() }),
  run: async ({ out }, ctx) => {
    const result = await writeReport(ctx, out);
    return { data: result, text: renderReport(result) };
  },
});
