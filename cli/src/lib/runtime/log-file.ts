import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** The last `n` lines of `text` (a trailing newline does not count as an empty line). */
export function lastLines(text: string, n: number): string[] {
  if (n <= 0) return [];
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-n);
}

/** Reads `file` from byte `from` (default: the last 256 KiB), or '' when it does not exist. */
export async function readFrom(file: string, from?: number): Promise<{ text: string; size: number }> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return { text: '', size: 0 };
  }
  try {
    const { size } = await handle.stat();
    const start = Math.max(0, Math.min(from ?? size - 256 * 1024, size));
    const buf = Buffer.alloc(size - start);
    await handle.read(buf, 0, buf.length, start);
    return { text: buf.toString('utf8'), size };
  } finally {
    await handle.close();
  }
}

/** Current size of `file` in bytes (0 when missing). */
export async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch {
    return 0;
  }
}

/**
 * Lines of a log file: the last `lines`, then (with `follow`) every new line until `signal`
 * aborts. A file that is truncated or replaced is read again from its start.
 */
export async function* tailFile(
  file: string,
  opts: { lines?: number; follow?: boolean; signal?: AbortSignal; pollMs?: number } = {},
): AsyncGenerator<string> {
  const wanted = opts.lines ?? 100;
  // About 2 KiB a line (JSON logs run long), so a few lines do not read the last 256 KiB.
  const { text, size } = await readFrom(file, Math.max(0, (await fileSize(file)) - Math.min(256, Math.max(16, wanted * 2)) * 1024));
  for (const line of lastLines(text, wanted)) yield line;
  if (!opts.follow) return;
  let offset = size;
  let partial = '';
  while (!opts.signal?.aborted) {
    try {
      await sleep(opts.pollMs ?? 250, undefined, { signal: opts.signal });
    } catch {
      return; // aborted
    }
    const current = await fileSize(file);
    if (current < offset) {
      offset = 0;
      partial = '';
    }
    if (current === offset) continue;
    const chunk = await readFrom(file, offset);
    offset = chunk.size;
    const parts = (partial + chunk.text).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) yield line;
  }
}
