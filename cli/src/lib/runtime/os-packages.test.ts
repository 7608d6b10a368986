import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { aptCommand, findPostgres, parseAptStatus, planOsPackages, withServiceStartsDisabled } from './os-packages.js';

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

  it('when not root, then each apt-get runs with sudo; as root without', () => {
    expect(aptCommand(['a', 'b'], false)).toBe('sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y a b');
    expect(aptCommand(['a'], true)).toBe('apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y a');
  });
});

describe('planOsPackages', () => {
  it('when several binaries are missing, then one list names a package for each, Java and Maven first', () => {
    const plan = planOsPackages({ mariadb: true, postgres: true, redis: true, java: true, maven: true, unzip: true }, { mariadb: false, postgres: false, redis: false, java: false, maven: false, unzip: false });
    expect(plan.map((p) => p.pkg)).toEqual(['openjdk-17-jre-headless', 'maven', 'unzip', 'mariadb-server', 'postgresql', 'redis-server']);
  });

  it('when a binary is present or not needed, then it is not planned', () => {
    expect(planOsPackages({ java: true, maven: false, mariadb: true }, { java: true, maven: false, mariadb: false }).map((p) => p.need)).toEqual(['mariadb']);
    expect(planOsPackages({}, {})).toEqual([]);
  });

  it('when only Java is missing, then only openjdk-17-jre-headless is planned', () => {
    expect(planOsPackages({ java: true, maven: true }, { java: false, maven: true })).toEqual([{ need: 'java', pkg: 'openjdk-17-jre-headless', what: 'Java 17' }]);
  });
});

describe('parseAptStatus', () => {
  it('when apt reports download and install progress, then phase, percent and message are read', () => {
    expect(parseAptStatus('dlstatus:3:42.5:Retrieving file 3 of 9')).toEqual({ phase: 'download', percent: 42.5, message: 'Retrieving file 3 of 9' });
    expect(parseAptStatus('pmstatus:maven:80:Installing maven (amd64)')).toEqual({ phase: 'install', percent: 80, message: 'Installing maven (amd64)' });
  });

  it("when a line is apt's ordinary output, then it is not progress", () => {
    expect(parseAptStatus('Setting up maven (3.8.7-1) ...')).toBeUndefined();
    expect(parseAptStatus('pmstatus:x:abc:y')).toBeUndefined();
  });
});
