import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedProperties, newestBuild } from './outdated.js';

describe('changedProperties', () => {
  it('when a value changed, a key came or went, then those keys are named, sorted', () => {
    const running = '# generated\na=1\nb=2\nc=3\n';
    const wanted = '# generated again\nb=2\nc=4\nd=5\n';
    expect(changedProperties(running, wanted)).toEqual(['a', 'c', 'd']);
  });

  it('when only comments and blank lines differ, then nothing changed', () => {
    expect(changedProperties('# one\na=1\n\nb=x=y\n', '# two\n\na=1\nb=x=y\n')).toEqual([]);
  });
});

describe('newestBuild', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'oms-outdated-'));
    await mkdir(path.join(root, 'svc/dist/kafka'), { recursive: true });
    await mkdir(path.join(root, 'kit/dist'), { recursive: true });
    const files: Array<[string, number]> = [
      ['svc/dist/server.js', 1_000],
      ['svc/dist/kafka/view.js', 3_000],
      ['svc/dist/kafka/view.d.ts', 9_000], // not code: never newer than the code
      ['kit/dist/index.js', 2_000],
    ];
    for (const [file, seconds] of files) {
      await writeFile(path.join(root, file), '');
      await utimes(path.join(root, file), seconds, seconds);
    }
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('when several dirs hold code, then the newest .js file among them is found, nested ones included', async () => {
    expect(await newestBuild([path.join(root, 'svc/dist'), path.join(root, 'kit/dist')])).toEqual({ file: path.join(root, 'svc/dist/kafka/view.js'), mtimeMs: 3_000_000 });
  });

  it('when a dir is missing or holds no code, then it counts for nothing', async () => {
    expect(await newestBuild([path.join(root, 'none')])).toBeUndefined();
    expect(await newestBuild([path.join(root, 'none'), path.join(root, 'kit/dist')])).toEqual({ file: path.join(root, 'kit/dist/index.js'), mtimeMs: 2_000_000 });
  });
});
