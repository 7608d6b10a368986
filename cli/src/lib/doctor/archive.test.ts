import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { splitName, tar, tarGz } from './archive.js';

/** Reads back what tar() wrote: name, size, content, and whether each header checksum holds. */
function readTar(buf: Buffer): Array<{ name: string; content: string; checksumOk: boolean }> {
  const out: Array<{ name: string; content: string; checksumOk: boolean }> = [];
  for (let off = 0; off + 512 <= buf.length; ) {
    const header = buf.subarray(off, off + 512);
    if (header.every((b) => b === 0)) break;
    const str = (start: number, len: number) => header.subarray(start, start + len).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(str(124, 12), 8);
    const stored = parseInt(str(148, 8), 8);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i]!;
    const prefix = str(345, 155);
    const name = prefix ? `${prefix}/${str(0, 100)}` : str(0, 100);
    out.push({ name, content: buf.subarray(off + 512, off + 512 + size).toString('utf8'), checksumOk: sum === stored });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

describe('tar writer', () => {
  it('when files are archived, then each comes back with its name, content and a valid checksum', () => {
    const entries = [
      { name: 'r/status.json', data: '{"ok":true}\n' },
      { name: 'r/logs/kafka.log', data: 'x'.repeat(1500) },
      { name: 'r/empty.txt', data: '' },
    ];
    const read = readTar(tar(entries, 0));
    expect(read.map((e) => e.name)).toEqual(entries.map((e) => e.name));
    expect(read.map((e) => e.content)).toEqual(entries.map((e) => e.data));
    expect(read.every((e) => e.checksumOk)).toBe(true);
  });

  it('when the archive is gzipped, then it is a multiple of 512 bytes inside and ends with two zero blocks', () => {
    const raw = gunzipSync(tarGz([{ name: 'a', data: 'b' }]));
    expect(raw.length % 512).toBe(0);
    expect(raw.subarray(-1024).every((b) => b === 0)).toBe(true);
  });

  it('when a path is longer than 100 bytes, then it is split into prefix and name at a slash', () => {
    const long = `${'d'.repeat(80)}/${'e'.repeat(60)}/file.log`;
    expect(splitName(long)).toEqual({ prefix: `${'d'.repeat(80)}/${'e'.repeat(60)}`, name: 'file.log' });
    expect(readTar(tar([{ name: long, data: 'z' }]))[0]!.name).toBe(long);
    expect(() => splitName('x'.repeat(300))).toThrow(/too long/);
  });

  it('when the system tar reads the archive, then it lists and extracts the same files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'oms-tar-'));
    try {
      const file = join(dir, 'r.tar.gz');
      writeFileSync(file, tarGz([{ name: 'r/a.json', data: '{}' }, { name: 'r/logs/b.log', data: 'line\n' }]));
      expect(execFileSync('tar', ['-tzf', file], { encoding: 'utf8' }).trim().split('\n')).toEqual(['r/a.json', 'r/logs/b.log']);
      execFileSync('tar', ['-xzf', file, '-C', dir]);
      expect(readFileSync(join(dir, 'r', 'logs', 'b.log'), 'utf8')).toBe('line\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
