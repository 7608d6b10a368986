import { z } from 'zod';
import { defineCommand } from '../command.js';
import { describeProgress, progressDetail } from '../lib/lag.js';
import { collectStatus, type StatusReport } from '../ops/status.js';

/** The status table, under a first line naming the runtime and why it is the one. */
export function renderStatus(r: StatusReport): string {
  const rows = r.components.map((c) => [c.id, c.kind, c.state, c.pid ? String(c.pid) : '-', c.url, [c.detail, restartsNote(c)].filter(Boolean).join('; ')]);
  for (const c of r.connectors ?? []) rows.push([c.name, 'connector', c.state.toLowerCase(), '-', `tasks ${c.tasks.map((t) => t.state.toLowerCase()).join(',') || '-'}`, '']);
  // The group's member count beside its lag: with `--scale orders-stream=N` it should be N.
  if (r.lag) rows.push([r.lag.group, 'lag', describeProgress(r.lag), '-', `${progressDetail(r.lag)}; ${r.lag.members} member(s)`, '']);
  const header = ['COMPONENT', 'KIND', 'STATE', 'PID', 'URL', 'DETAIL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const lines = [`runtime: ${r.runtime} (${r.runtimeReason})`, ...[header, ...rows].map((cols) => cols.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd())];
  if (!r.connectors) lines.push('', 'connectors: Kafka Connect is not up');
  if (r.keeper) lines.push('', r.keeper.running ? `keeper: running (pid ${String(r.keeper.pid)}), restarts what exits unexpectedly; log ${r.keeper.logFile}` : 'keeper: not running: nothing restarts a component that exits (`oms up` starts it)');
  return lines.join('\n');
}

/** `restarted 2×, last exit <at>: <why>` when the keeper (or docker) restarted it or saw it exit. */
function restartsNote(c: StatusReport['components'][number]): string {
  const parts: string[] = [];
  if (c.restarts) parts.push(`restarted ${c.restarts}×`);
  if (c.lastExit) parts.push(`last exit ${c.lastExit}`);
  return parts.join(', ');
}

/** Waits `ms`, or less when the signal aborts (Ctrl-C ends --watch). */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        resolve();
      },
      { once: true },
    );
  });
}

/** `oms status`: one table of processes, services, connectors and the processor's lag. */
export const statusCommand = defineCommand({
  path: 'status',
  summary: 'show every component, connector and the stream processor lag (exit 1 if not all healthy)',
  examples: ['oms status', 'oms status --watch         # refresh every 2 s (Ctrl-C stops)', 'oms status --json | jq .data.healthy'],
  configure: (cmd) => cmd.option('-w, --watch', 'refresh until interrupted').option('--interval <seconds>', 'refresh interval for --watch', '2'),
  input: (_args, opts) => ({ watch: opts.watch === true, interval: opts.interval }),
  schema: z.object({ watch: z.boolean(), interval: z.coerce.number().min(0.5).max(3600) }),
  run: async ({ watch, interval }, ctx) => {
    let report = await collectStatus(ctx);
    if (watch && ctx.out.mode !== 'json') {
      while (!ctx.signal.aborted) {
        ctx.out.print(`\x1b[2J\x1b[H${new Date().toISOString()}  (Ctrl-C stops)\n${renderStatus(report)}`);
        await pause(interval * 1000, ctx.signal);
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the pause can end by an abort; TypeScript keeps the loop condition's narrowing across the await
        if (!ctx.signal.aborted) report = await collectStatus(ctx);
      }
      return { data: report, exitCode: 0 };
    }
    return { data: report, text: renderStatus(report), exitCode: report.healthy ? 0 : 1 };
  },
});
