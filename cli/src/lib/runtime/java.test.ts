import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PrereqError } from '../../errors.js';
import { findJava, javaCandidates, parseJavaVersion, parseReleaseVersion } from './java.js';

const jvmDir = await mkdtemp(path.join(os.tmpdir(), 'oms-jvm-'));
afterAll(() => rm(jvmDir, { recursive: true, force: true }));

async function fakeJdk(name: string, version: string): Promise<string> {
  const home = path.join(jvmDir, name);
  await mkdir(path.join(home, 'bin'), { recursive: true });
  await writeFile(path.join(home, 'bin', 'java'), '#!/bin/sh\nexit 1\n', { mode: 0o755 });
  await writeFile(path.join(home, 'release'), `IMPLEMENTOR="x"\nJAVA_VERSION="${version}"\n`);
  return home;
}

describe('parseJavaVersion', () => {
  it('when given modern and legacy version strings, then the major is right', () => {
    expect(parseJavaVersion('17.0.15')).toBe(17);
    expect(parseJavaVersion('21')).toBe(21);
    expect(parseJavaVersion('25-ea')).toBe(25);
    expect(parseJavaVersion('1.8.0_392')).toBe(8);
    expect(parseReleaseVersion('JAVA_VERSION="25.0.1"\n')).toBe(25);
  });
});

describe('findJava', () => {
  it('when JAVA_HOME is a Java 25, then it is skipped for a 17 (Elasticsearch 8 cannot run on 24+)', async () => {
    const j25 = await fakeJdk('temurin-25-jdk-amd64', '25.0.1');
    const j17 = await fakeJdk('java-17-openjdk-amd64', '17.0.15');
    const java = await findJava({ env: { JAVA_HOME: j25, PATH: '' }, jvmDir });
    expect(java).toEqual({ home: j17, bin: path.join(j17, 'bin', 'java'), major: 17 });
    expect(javaCandidates({ env: { JAVA_HOME: j25, PATH: '' }, jvmDir })).toEqual([j25, j17]);
  });

  it('when no candidate fits, then it is a PrereqError with the apt command', async () => {
    const err = await findJava({ env: { PATH: '' }, jvmDir, min: 99, max: 99 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrereqError);
    expect((err as PrereqError).hint).toContain('openjdk-17');
  });
});
