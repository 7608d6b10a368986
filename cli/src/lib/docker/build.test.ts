import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { rootfsTweaks } from './base.js';
import { describeOutcomes, hostExtraCaPem, inputHash, serviceContextFiles } from './build.js';
import type { BuiltImage } from './images.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'oms-docker-'));
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

function image(dir: string, args: Record<string, string> = {}): BuiltImage {
  return {
    id: 'kafka',
    kind: 'build',
    ref: 'oms-kafka:test',
    title: 'kafka',
    context: { entries: [{ from: path.join(dir, 'Dockerfile'), to: 'Dockerfile', fingerprint: 'content' }, { from: path.join(dir, 'libs'), to: 'libs', fingerprint: 'stat' }] },
    dockerfile: 'Dockerfile',
    buildArgs: args,
    parents: ['jre'],
  };
}

describe('inputHash', () => {
  it('when nothing changed, then the hash is stable; a changed Dockerfile, build arg or parent image changes it', async () => {
    const dir = tree({ Dockerfile: 'FROM x\n', 'libs/a.jar': 'jar' });
    const first = await inputHash(image(dir), ['sha256:p1']);
    expect(await inputHash(image(dir), ['sha256:p1'])).toBe(first);
    expect(await inputHash(image(dir, { A: '1' }), ['sha256:p1'])).not.toBe(first);
    expect(await inputHash(image(dir), ['sha256:p2'])).not.toBe(first);
    writeFileSync(path.join(dir, 'Dockerfile'), 'FROM y\n');
    expect(await inputHash(image(dir), ['sha256:p1'])).not.toBe(first);
  });

  it('when a service source file changes, then the services image hash changes; build output does not count', async () => {
    const dir = tree({ 'package.json': '{}', 'services/a/src/x.ts': 'a', 'services/a/dist/x.js': 'b', 'lib/k/src/y.ts': 'c' });
    const svc: BuiltImage = { id: 'customers', kind: 'build', ref: 'oms-customers:t', title: 's', context: { root: dir, files: 'services' }, dockerfile: 'D', target: 'customers', buildArgs: {}, parents: [] };
    expect(await serviceContextFiles(dir)).toEqual(['lib/k/src/y.ts', 'package.json', 'services/a/src/x.ts']);
    const first = await inputHash(svc, []);
    writeFileSync(path.join(dir, 'services/a/dist/x.js'), 'changed');
    expect(await inputHash(svc, [])).toBe(first);
    writeFileSync(path.join(dir, 'services/a/src/x.ts'), 'changed');
    expect(await inputHash(svc, [])).not.toBe(first);
  });
});

describe('hostExtraCaPem', () => {
  it('when the host added CA certificates, then their PEM is collected; none gives an empty string', async () => {
    const dir = tree({ 'b.crt': 'B\n', 'sub/a.crt': 'A', 'readme.txt': 'x' });
    expect(await hostExtraCaPem(dir)).toBe('A\nB');
    expect(await hostExtraCaPem(path.join(dir, 'missing'))).toBe('');
  });
});

describe('describeOutcomes', () => {
  it('when some images were built, then they are named with their time and the rest counted', () => {
    expect(describeOutcomes([{ id: 'kafka', ref: 'k', title: 'k', action: 'built', ms: 12_300 }, { id: 'jre', ref: 'j', title: 'j', action: 'up to date', ms: 1 }])).toBe('built kafka (12s); 1 up to date');
    expect(describeOutcomes([{ id: 'jre', ref: 'j', title: 'j', action: 'up to date', ms: 1 }])).toBe('all 1 images up to date');
  });
});

describe('rootfsTweaks', () => {
  it('when the base is prepared, then apt gets the suite, updates and security, and package scripts start no servers', () => {
    const files = Object.fromEntries(rootfsTweaks('http://deb.debian.org/debian').map((t) => [t.path, t.content]));
    expect(files['etc/apt/sources.list']).toContain('deb http://deb.debian.org/debian bookworm-updates main');
    expect(files['etc/apt/sources.list']).toContain('deb http://deb.debian.org/debian-security bookworm-security main');
    expect(files['usr/sbin/policy-rc.d']).toContain('exit 101');
  });
});
