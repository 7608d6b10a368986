/** docs/cli.md stays complete: every command, flag and variable the real binary has is documented there. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../../cli/src/commands/index.js';
import { REPO_ROOT, okEnvelope, oms, parseJson, schemas } from './helpers.js';

const doc = readFileSync(join(REPO_ROOT, 'docs', 'cli.md'), 'utf8');

/** Long flags in the Options section of a help text (`--dry-run`, `--only`, …). */
function flagsOf(help: string): string[] {
  const options = help.split('Options:')[1]?.split(/\n\s*\n/)[0] ?? '';
  return [...options.matchAll(/^\s+(?:-\w, )?(--[a-z][a-z-]*)/gm)].map((m) => m[1]!).filter((f) => f !== '--help');
}

describe('docs/cli.md', () => {
  it('when a command exists, then it has its own section', () => {
    for (const { path } of commands) expect(doc, `oms ${path}`).toMatch(new RegExp(`^#{2,3} oms ${path}$`, 'm'));
  });

  it('when a command has a flag, then the docs name it', async () => {
    const helps = await Promise.all(commands.map(async ({ path }) => ({ path, help: (await oms([...path.split(' '), '--help'])).stdout })));
    const global = flagsOf((await oms(['--help'])).stdout);
    for (const { path, help } of helps) for (const flag of [...flagsOf(help), ...global]) expect(doc, `oms ${path} ${flag}`).toMatch(new RegExp(`[\\s\`,]${flag}\\b`));
  });

  it('when a setting exists, then its variable is in the configuration table', async () => {
    const res = await oms(['config', '--json']);
    const { settings } = okEnvelope('config', schemas.config).parse(parseJson(res.stdout)).data;
    for (const s of settings) expect(doc, s.env).toMatch(new RegExp(`^\\| \`${s.env}\` \\| \`${s.key.replace('.', '\\.')}\``, 'm'));
  });
});
