import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aptCommand, findPostgres, withServiceStartsDisabled } from './os-packages.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'oms-ospkg-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('withServiceStartsDisabled', () => {
  it('when no policy-rc.d existed, then one answering 101 is there during the install and gone after', async () => {
    const file = path.join(dir, 'policy-none');
    const during = await withServiceStartsDisabled(async () => {
      try {
        execFileSync(file);
        return 0;
      } catch (err) {
        return (err as { status: number }).status;
      }
    }, file);
    expect(during).toBe(101);
    expect(existsSync(file)).toBe(false);
  });

  it('when one existed, then its content and mode are restored, even if the install fails', async () => {
    const file = path.join(dir, 'policy-existing');
    await writeFile(file, '#!/bin/sh\nexit 0\n', { mode: 0o700 });
    await expect(
      withServiceStartsDisabled(async () => {
        expect(await readFile(file, 'utf8')).toContain('exit 101');
        throw new Error('apt failed');
      }, file),
    ).rejects.toThrow('apt failed');
    expect(await readFile(file, 'utf8')).toBe('#!/bin/sh\nexit 0\n');
    expect((await stat(file)).mode & 0o777).toBe(0o700);
  });
});

describe('findPostgres', () => {
  it('when several majors are installed, then 15 is preferred, else the newest', async () => {
    const lib = path.join(dir, 'pglib');
    for (const v of ['13', '15', '16']) {
      await mkdir(path.join(lib, v, 'bin'), { recursive: true });
      for (const b of ['initdb', 'postgres']) await writeFile(path.join(lib, v, 'bin', b), '');
    }
    expect(findPostgres({ PATH: '' }, lib)?.initdb).toBe(path.join(lib, '15', 'bin', 'initdb'));
    await rm(path.join(lib, '15'), { recursive: true });
    expect(findPostgres({ PATH: '' }, lib)?.postgres).toBe(path.join(lib, '16', 'bin', 'postgres'));
  });
});

describe('aptCommand', () => {
  it('when asked, then it is the exact non-interactive install', () => {
    expect(aptCommand(['postgresql'])).toMatch(/apt-get update && (sudo )?DEBIAN_FRONTEND=noninteractive apt-get install -y postgresql$/);
  });
});
