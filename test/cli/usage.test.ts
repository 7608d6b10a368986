/** Help texts and usage errors of the real CLI: nothing here needs a running stack. */
import { describe, expect, it } from 'vitest';
import { commands } from '../../cli/src/commands/index.js';
import { errorEnvelope, oms, parseJson } from './helpers.js';

const paths = commands.map((c) => c.path);

describe('help', () => {
  it('when any command is asked for --help, then it exits 0 and shows examples', async () => {
    const results = await Promise.all(paths.map(async (p) => ({ path: p, res: await oms([...p.split(' '), '--help']) })));
    for (const { path, res } of results) {
      expect(res.exitCode, `oms ${path} --help`).toBe(0);
      expect(res.stdout, `oms ${path} --help`).toContain('Examples:');
      expect(res.stdout, `oms ${path} --help`).toMatch(new RegExp(`\\$ oms ${path}\\b`));
    }
  });

  it('when oms --help runs, then every command is listed with the exit codes', async () => {
    const res = await oms(['--help']);
    expect(res.exitCode).toBe(0);
    for (const top of new Set(paths.map((p) => p.split(' ')[0]!))) expect(res.stdout).toMatch(new RegExp(`^  ${top}\\b`, 'm'));
    expect(res.stdout).toContain('Exit codes: 0 ok, 1 a check failed, 2 usage error, 3 a prerequisite is missing');
  });

  it('when the surface of the issue is checked, then doctor, report, reset and config are commands', () => {
    for (const p of ['up', 'down', 'reset', 'status', 'doctor', 'logs', 'report', 'build', 'topics create', 'topics list', 'topics describe', 'topics tail', 'connectors submit', 'connectors status', 'connectors restart', 'seed', 'smoke', 'trace', 'open', 'config']) {
      expect(paths).toContain(p);
    }
  });
});

describe('usage errors', () => {
  it('when the command is unknown, then it exits 2 with one error line (and a hint) on stderr and nothing on stdout', async () => {
    const res = await oms(['frobnicate']);
    expect(res.exitCode).toBe(2);
    expect(res.stdout).toBe('');
    const lines = res.stderr.trim().split('\n');
    expect(lines[0]).toBe("error: unknown command 'frobnicate'");
    expect(lines.filter((l) => l.startsWith('error:'))).toHaveLength(1);
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(res.stderr).not.toMatch(/\bat .+\.js:\d+/); // no stack trace
  });

  it('when a flag is unknown, then it exits 2 naming the flag', async () => {
    const res = await oms(['status', '--frob']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr.split('\n')[0]).toBe("error: unknown option '--frob'");
  });

  it('when a flag value is invalid, then it exits 2 naming the flag and the rule', async () => {
    const res = await oms(['status', '--interval', '0']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('interval');
  });

  it('when a config variable is invalid, then it exits 2 naming the variable', async () => {
    const res = await oms(['config'], { env: { OMS_PORT_KAFKA: 'abc' } });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('OMS_PORT_KAFKA');
  });

  it('when a usage error happens with --json, then stdout holds one error document with exitCode 2', async () => {
    const res = await oms(['--json', 'frobnicate']);
    expect(res.exitCode).toBe(2);
    const doc = errorEnvelope.parse(parseJson(res.stdout));
    expect(doc.error.exitCode).toBe(2);
    expect(doc.error.message).toContain('frobnicate');
  });

  it('when reset runs without --yes and stdin is not a terminal, then it refuses with exit 2 and says to pass --yes', async () => {
    const res = await oms(['reset']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('--yes');
    const json = await oms(['reset', '--json']);
    expect(json.exitCode).toBe(2);
    expect(errorEnvelope.parse(parseJson(json.stdout)).error.hint).toContain('--yes');
  });
});
