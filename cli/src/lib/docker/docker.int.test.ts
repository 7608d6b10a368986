/**
 * Against a real Docker daemon: image builds through dockerode (progress, the input-hash
 * label that makes a second build a no-op, the build log on failure), what the runtime
 * choice sees, and what restarts a killed container (Docker itself, or the keeper). Without a daemon these tests are skipped, and say so: the real check of the
 * docker runtime is CI's docker phase (.ci/run), which runs `oms up --runtime docker
 * --offline`, `oms smoke` and `oms down --volumes`.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExternalError } from '../../errors.js';
import { ARTIFACT_VERSIONS } from '../runtime/artifacts.js';
import { INPUT_HASH_LABEL, ensureImages } from './build.js';
import { COMPOSE_PROJECT_LABEL, COMPOSE_SERVICE_LABEL, connectDocker, inspectImage, pingDaemon, projectLeftovers } from './client.js';
import { type BuiltImage, offlineImages } from './images.js';
import { keepContainers } from './keeper.js';

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

// Any image with `sleep` does; the offline base is what `oms build --offline` (CI's docker phase) builds first.
const BASE = offlineImages(ARTIFACT_VERSIONS, 20).base;
const baseThere = daemon.ok && (await inspectImage(docker, BASE)) !== undefined;
const NO_BASE = `waits for ${BASE}: \`oms build --offline\` builds it`;

describe.skipIf(!baseThere)(`what restarts a killed container of a compose project${baseThere ? '' : ` (skipped: ${daemon.ok ? NO_BASE : SKIP})`}`, () => {
  const project = `oms-int-keeper-${process.pid}`;
  let id = '';
  afterAll(async () => {
    if (id) await docker.getContainer(id).remove({ force: true }).catch(() => undefined);
  });
  const state = async () => (await docker.getContainer(id).inspect()).State;
  const until = async (what: () => Promise<boolean>, ms: number) => {
    for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) if (await what()) return true;
    return false;
  };

  it('when its container is killed with docker kill, then Docker leaves it down despite restart unless-stopped, and the keeper starts it again', async () => {
    const c = await docker.createContainer({
      Image: BASE,
      Cmd: ['sleep', '600'],
      Labels: { [COMPOSE_PROJECT_LABEL]: project, [COMPOSE_SERVICE_LABEL]: 'sleeper' },
      HostConfig: { RestartPolicy: { Name: 'unless-stopped' } },
    });
    id = c.id;
    await c.start();
    await c.kill({ signal: 'SIGKILL' });
    // Docker records a kill through its API as a stop by hand: no restart, however long one waits.
    expect(await until(async () => (await state()).Running, 3000)).toBe(false);
    expect((await state()).ExitCode).toBe(137);
    const stop = new AbortController();
    const lines: string[] = [];
    const kept = keepContainers(docker, project, { signal: stop.signal, intervalMs: 200, minDelayMs: 100, log: (l) => lines.push(l) });
    const back = await until(async () => (await state()).Running, 10_000);
    stop.abort();
    expect(await kept).toBe('stopped');
    expect(back).toBe(true);
    expect(lines.join('\n')).toMatch(/sleeper: exited with code 137 \(signal 9: SIGKILL, e\.g\. docker kill\) at .*; starting it again in 0\.1s\nsleeper: started again \(container .*; restart 1\)/);
  }, 60_000);

  it.skipIf(process.env.DOCKER_HOST !== undefined)('when its main process is killed from the host (kill -9 of its host pid), then Docker restarts it by its restart policy', async () => {
    const before = await docker.getContainer(id).inspect();
    process.kill(before.State.Pid, 'SIGKILL');
    expect(await until(async () => (await docker.getContainer(id).inspect()).RestartCount === before.RestartCount + 1 && (await state()).Running, 10_000)).toBe(true);
  }, 30_000);

  it('when the project has no container left, then the keeper ends by itself', async () => {
    await docker.getContainer(id).remove({ force: true });
    id = '';
    const why = await keepContainers(docker, project, { signal: new AbortController().signal, intervalMs: 100 });
    expect(why).toBe(`nothing left to watch (project ${project} has no container)`);
  });
});
