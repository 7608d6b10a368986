import { parseArgs, type ParseArgsConfig } from 'node:util';

/** What a script's flags came to: its values, or the text to print and the exit code. */
export type ScriptArgs<T extends ParseArgsConfig> = { ok: true; values: ReturnType<typeof parseArgs<T>>['values'] } | { ok: false; exitCode: 0 | 2; text: string };

/**
 * Parses the flags of a script run by npm (`npm run bench:pipeline -- …`, `npm run test:faults
 * -- …`) with `--help`/`-h` added: `--help` gives `usage` (exit 0), and a flag the script does
 * not know or one without its value gives the reason and `usage` (exit 2) instead of node's
 * stack trace. The script, an entry point, prints and exits.
 */
export function scriptArgs<T extends ParseArgsConfig>(name: string, config: T, usage: string): ScriptArgs<T> {
  const help = (config.args ?? process.argv.slice(2)).some((a) => a === '--help' || a === '-h');
  if (help) return { ok: false, exitCode: 0, text: usage };
  try {
    return { ok: true, values: parseArgs(config).values };
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    return { ok: false, exitCode: 2, text: `${name}: ${reason}\n\n${usage}` };
  }
}
