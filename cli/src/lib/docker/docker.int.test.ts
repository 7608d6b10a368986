/**
 * Against a real Docker daemon: image builds through dockerode (progress, the input-hash
 * label that makes a second build a no-op, the build log on failure) and what the runtime
 * choice sees. Without a daemon these tests are skipped, and say so: the real check of the
 * docker runtime is CI's docker phase (.ci/run), which runs `oms up --runtime docker
 * --offline`, `oms smoke` and `oms down --volumes`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExternalError } from '../../errors.js';
import { INPUT_HASH_LABEL, ensureImages } from './build.js';
import { connectDocker, inspectImage, pingDaemon, projectLeftovers } from './client.js';
import type { BuiltImage } from './images.js';

const docker = connectDocker(process.env);
const daemon = await pingDaemon(docker, 3000);
const SKIP = 'waits for a Docker daemon: run .ci/run or start dockerd';
if (!daemon.ok) console.warn(`docker.int.test.ts skipped: ${SKIP} (${daemon.reason})`);

const tag = `oms-int-test:${process.pid}`;

function context(dockerfile: string): BuiltImage {
  const dir = mkdtempSync(path.join(tmpdir(), 'oms-docker-int-'));
  mkdirSync(path.join(dir, 'files'));
  writeFileSync(path.join(dir, 'Dockerfile'), dockerfile);
  writeFileSync(path.join(dir, 'files', 'hello.txt'), 'hello\n');
  return {
    id: 'kafka',
    kind: 'build',
    ref: tag,
    title: 'test image',
    context: { entries: [{ from: path.join(dir, 'Dockerfile'), to: 'Dockerfile', fingerprint: 'content' }, { from: path.join(dir, 'files'), to: 'files', fingerprint: 'content' }] },
    dockerfile: 'Dockerfile',
    buildArgs: { GREETING: 'hi' },
    parents: [],
  };
}

describe.skipIf(!daemon.ok)(`the docker runtime's image builds against a real daemon${daemon.ok ? '' : ` (skipped: ${SKIP})`}`, () => {
  afterAll(async () => {
    await docker.getImage(tag).remove({ force: true }).catch(() => undefined);
  });

  it('when an image is built twice with the same inputs, then the second time it is up to date without a build', async () => {
    const image = context('FROM scratch\nARG GREETING\nCOPY files/ /files/\nLABEL greeting=$GREETING\n');
    const workDir = mkdtempSync(path.join(tmpdir(), 'oms-docker-work-'));
    const progress: string[] = [];
    const first = await ensureImages({ docker, plan: [image], workDir, debianMirror: 'http://deb.debian.org/debian', onProgress: (m) => progress.push(m) });
    expect(first[0]).toMatchObject({ action: 'built', ref: tag });
    expect(progress.some((l) => /Step \d+\/\d+ : COPY/.test(l))).toBe(true);
    const facts = await inspectImage(docker, tag);
    expect(facts?.labels[INPUT_HASH_LABEL]).toMatch(/^[0-9a-f]{16}$/);
    expect(facts?.labels.greeting).toBe('hi');
    const second = await ensureImages({ docker, plan: [image], workDir, debianMirror: 'http://deb.debian.org/debian', onProgress: () => undefined });
    expect(second[0]).toMatchObject({ action: 'up to date' });
  }, 120_000);

  it('when a build step fails, then the error carries the tail of the build log', async () => {
    const image = context('FROM scratch\nCOPY files/missing.txt /x\n');
    const workDir = mkdtempSync(path.join(tmpdir(), 'oms-docker-work-'));
    const err = await ensureImages({ docker, plan: [image], workDir, debianMirror: 'http://deb.debian.org/debian', onProgress: () => undefined }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExternalError);
    expect((err as ExternalError).message).toMatch(/building oms-int-test/);
    expect((err as ExternalError).details.join('\n')).toMatch(/missing\.txt/);
  }, 120_000);

  it('when a compose project never existed, then nothing of it is listed', async () => {
    expect(await projectLeftovers(docker, `oms-int-none-${process.pid}`)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
