import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lastLines, readFrom, tailFile } from './log-file.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'oms-logfile-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('lastLines', () => {
  it('when the text ends with a newline, then no empty last line is counted', () => {
    expect(lastLines('a\nb\nc\n', 2)).toEqual(['b', 'c']);
    expect(lastLines('a\nb', 5)).toEqual(['a', 'b']);
    expect(lastLines('', 3)).toEqual([]);
    expect(lastLines('a\n', 0)).toEqual([]);
  });
});

describe('readFrom', () => {
  it('when the file is missing, then it is empty', async () => {
    expect(await readFrom(path.join(dir, 'nope.log'))).toEqual({ text: '', size: 0 });
  });

  it('when given an offset, then only what follows it is read', async () => {
    const file = path.join(dir, 'offset.log');
    await writeFile(file, 'old\nnew\n');
    expect((await readFrom(file, 4)).text).toBe('new\n');
  });
});

describe('tailFile', () => {
  it('when not following, then it yields the last N lines and ends', async () => {
    const file = path.join(dir, 'a.log');
    await writeFile(file, Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n') + '\n');
    const lines: string[] = [];
    for await (const l of tailFile(file, { lines: 3 })) lines.push(l);
    expect(lines).toEqual(['line 7', 'line 8', 'line 9']);
  });

  it('when following, then appended lines arrive (partial lines once complete) until aborted', async () => {
    const file = path.join(dir, 'b.log');
    await writeFile(file, 'first\n');
    const ac = new AbortController();
    const seen: string[] = [];
    const reading = (async () => {
      for await (const l of tailFile(file, { lines: 1, follow: true, signal: ac.signal, pollMs: 20 })) {
        seen.push(l);
        if (seen.length === 3) ac.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 60));
    await appendFile(file, 'sec');
    await new Promise((r) => setTimeout(r, 60));
    await appendFile(file, 'ond\nthird\n');
    await reading;
    expect(seen).toEqual(['first', 'second', 'third']);
  });
});
