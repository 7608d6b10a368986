/**
 * The scenario with a Docker daemon answering and the offline images built, the case
 * where detection alone picks the docker runtime: after `oms down` of a local stack a plain
 * `oms up` stays local, and `--runtime docker` switches and says so. It needs that daemon and
 * those images, so it runs in CI's Docker phase (.ci/run, after `oms build --offline`); where
 * no daemon answers it is skipped and says what it waits for. Its stacks are its own: MariaDB
 * only, its own state dir, port and compose project.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineImages } from '../../cli/src/lib/docker/images.js';
import { connectDocker, inspectImage, pingDaemon } from '../../cli/src/lib/docker/client.js';
import { ARTIFACT_VERSIONS } from '../../cli/src/lib/runtime/index.js';
import { okEnvelope, oms, parseJson, schemas, shiftedStack, type ShiftedStack } from './helpers.js';

const docker = connectDocker(process.env);
const daemon = await pingDaemon(docker, 3000);
const imagesBuilt = daemon.ok && (await inspectImage(docker, offlineImages(ARTIFACT_VERSIONS, 20).base)) !== undefined;
const WAITS_FOR = 'waits for a Docker daemon with the offline images built (`oms build --offline`): .ci/run runs it in its Docker phase';
if (!imagesBuilt) console.warn(`runtime-docker.test.ts skipped: ${WAITS_FOR} (${daemon.ok ? 'no offline images' : daemon.reason})`);

describe.skipIf(!imagesBuilt)(`the runtime sticks with a Docker daemon answering (${WAITS_FOR})`, () => {
  // Made here, not at the top: a skipped file must leave nothing behind.
  let stack: ShiftedStack;
  let plain: NodeJS.ProcessEnv;
  const remembered = () => (JSON.parse(readFileSync(join(stack.stateDir, 'runtime.json'), 'utf8')) as { runtime: string }).runtime;

  beforeAll(() => {
    // Its own MariaDB port (between the +1000-step offsets of whole test stacks) and compose project.
    stack = shiftedStack('runtime-docker', { OMS_PORT_MYSQL: String(3306 + 14_600), OMS_COMPOSE_PROJECT: 'oms-runtime-test' });
    plain = { ...stack.env, OMS_RUNTIME: '' };
  });

  afterAll(async () => {
    await oms(['down', '--runtime', 'docker', '--volumes'], { env: plain, timeoutMs: 300_000 });
    await stack.cleanup();
  });

  it('when a fresh state dir asks nothing, then detection alone would pick docker here', async () => {
    const fresh = shiftedStack('runtime-detect');
    try {
      const res = await oms(['status', '--json'], { env: { ...fresh.env, OMS_RUNTIME: '', OMS_COMPOSE_PROJECT: 'oms-runtime-test' } });
      const data = okEnvelope('status', schemas.status).parse(parseJson(res.stdout)).data;
      expect(data.runtime).toBe('docker');
    } finally {
      await fresh.cleanup();
    }
  });

  it('when a local stack was taken down, then a plain oms up stays local although Docker could run it', async () => {
    const first = await oms(['up', '--only', 'mariadb', '--no-seed'], { env: stack.env, timeoutMs: 300_000 });
    expect(first.exitCode, first.stderr).toBe(0);
    const down = await oms(['down'], { env: plain, timeoutMs: 180_000 });
    expect(down.exitCode, down.stderr).toBe(0);
    const again = await oms(['up', '--only', 'mariadb', '--no-seed', '--json'], { env: plain, timeoutMs: 300_000 });
    expect(again.exitCode, again.stderr).toBe(0);
    const data = okEnvelope('up', schemas.up).parse(parseJson(again.stdout)).data;
    expect(data.runtime).toBe('local');
    expect(data.runtimeReason).toMatch(/^last brought up with local at /);
    const stopped = await oms(['down'], { env: plain, timeoutMs: 180_000 });
    expect(stopped.exitCode, stopped.stderr).toBe(0);
  });

  it('when --runtime docker is given, then oms up switches, says what changes, and from then on the state dir remembers docker', async () => {
    const res = await oms(['up', '--runtime', 'docker', '--offline', '--only', 'mariadb', '--no-seed', '--json'], { env: plain, timeoutMs: 900_000 });
    expect(res.exitCode, res.stderr).toBe(0);
    const data = okEnvelope('up', schemas.up).parse(parseJson(res.stdout)).data;
    expect(data.runtime).toBe('docker');
    expect(data.runtimeSwitch).toMatch(/^switching runtime: local → docker \(--runtime docker; /);
    expect(res.stderr).toContain('The docker stack is a different stack with separate data (in the volumes of compose project oms-runtime-test)');
    expect(remembered()).toBe('docker');
    const status = await oms(['status'], { env: plain });
    expect(status.stdout.split('\n')[0]).toMatch(/^runtime: docker \(last brought up with docker at /);
  });
});
