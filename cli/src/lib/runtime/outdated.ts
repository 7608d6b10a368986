/**
 * What `up` compares to tell whether a running component still runs what this oms would start
 * (`LocalProcess.outdated`): the settings file it read at launch against the one it would write
 * now, and a service's build against the moment it started.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** `key=value` lines of a .properties text (comments and blank lines left out). */
function propertiesOf(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed || trimmed.startsWith('#')) continue;
    const eq = trimmed.indexOf('=');
    if (eq > 0) entries.set(trimmed.slice(0, eq), trimmed.slice(eq + 1));
  }
  return entries;
}

/** Keys set differently (or only on one side) in two .properties texts, sorted; comments do not count. */
export function changedProperties(running: string, wanted: string): string[] {
  const a = propertiesOf(running);
  const b = propertiesOf(wanted);
  return [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();
}

/** The most recently modified `.js` file under `dirs` (recursively), or undefined when there is none. */
export async function newestBuild(dirs: readonly string[]): Promise<{ file: string; mtimeMs: number } | undefined> {
  let newest: { file: string; mtimeMs: number } | undefined;
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await readdir(dir, { recursive: true });
    } catch {
      continue; // not built (the launch check says so)
    }
    for (const name of names) {
      if (!name.endsWith('.js')) continue;
      const file = path.join(dir, name);
      const { mtimeMs } = await stat(file).catch(() => ({ mtimeMs: 0 }));
      if (!newest || mtimeMs > newest.mtimeMs) newest = { file, mtimeMs };
    }
  }
  return newest;
}
