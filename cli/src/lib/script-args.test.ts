import { describe, expect, it } from 'vitest';
import { scriptArgs } from './script-args.js';

const options = { rate: { type: 'string', default: '20' }, quick: { type: 'boolean' } } as const;

describe('scriptArgs', () => {
  it('when the flags are known, then their values come back with the defaults', () => {
    expect(scriptArgs('bench', { args: ['--quick'], options }, 'usage: bench')).toEqual({ ok: true, values: { quick: true, rate: '20' } });
  });

  it('when --help or -h is given, then the usage is the answer, exit 0', () => {
    for (const flag of ['--help', '-h']) expect(scriptArgs('bench', { args: ['--rate', '5', flag], options }, 'usage: bench')).toEqual({ ok: false, exitCode: 0, text: 'usage: bench' });
  });

  it('when a flag is unknown or lacks its value, then the reason and the usage, exit 2, not a stack trace', () => {
    const unknown = scriptArgs('bench', { args: ['--bogus'], options }, 'usage: bench');
    expect(unknown).toMatchObject({ ok: false, exitCode: 2 });
    expect(!unknown.ok && unknown.text).toMatch(/^bench: Unknown option '--bogus'[\s\S]*\n\nusage: bench$/);
    const missing = scriptArgs('bench', { args: ['--rate'], options }, 'usage: bench');
    expect(!missing.ok && missing.text).toMatch(/^bench: Option '--rate <value>' argument missing[\s\S]*usage: bench$/);
  });
});
