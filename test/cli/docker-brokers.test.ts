/**
 * `oms up --runtime docker --brokers 3 --scale orders-stream=2` on an isolated stack (own state
 * dir, compose project and ports +12000, so it can run beside the +23000 stacks of the other
 * CLI tests): three KRaft broker containers and two processor containers make a working
 * pipeline (a smoke order goes end to end), status lists every broker and instance ready, every
 * pipeline topic is on all three brokers with `min.insync.replicas` 2, a smaller `--scale`
 * removes the extra instance's container, one broker over the three-broker volumes is refused,
 * and `oms down --volumes` leaves nothing of the project. It needs a Docker daemon with the
 * offline images built, so where none answers it is skipped and says what it waits for. About
 * six minutes on 2 cores.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDocker, inspectImage, pingDaemon, projectContainers, projectLeftovers } from '../../cli/src/lib/docker/client.js';
import { offlineImages } from '../../cli/src/lib/docker/images.js';
import { ARTIFACT_VERSIONS } from '../../cli/src/lib/runtime/index.js';
import { expectOneBrokerRefused, expectThreeBrokersTwoProcessors, oms, shiftedStack, type ShiftedStack, statusOf } from './helpers.js';

const docker = connectDocker(process.env);
const daemon = await pingDaemon(docker, 3000);
const imagesBuilt = daemon.ok && (await inspectImage(docker, offlineImages(ARTIFACT_VERSIONS, 20).base)) !== undefined;
const WAITS_FOR = 'waits for a Docker daemon with the offline images built (`oms build --offline`), as in CI\'s Docker phase';
if (!imagesBuilt) console.warn(`docker-brokers.test.ts skipped: ${WAITS_FOR} (${daemon.ok ? 'no offline images' : daemon.reason})`);

const PROJECT = 'oms-brokers-test';

describe.skipIf(!imagesBuilt)(`oms up --runtime docker --brokers 3 --scale orders-stream=2 (${WAITS_FOR})`, () => {
  // Made here, not at the top: a skipped file must leave nothing behind.
  let stack: ShiftedStack;
  let brokers: string[];

  beforeAll(() => {
    // Three broker JVMs, Elasticsearch and Connect start at once on 2 cores, often beside other
    // stacks: a container gets 10 minutes to be ready (180 s by default) rather than fail the test.
    const env = { OMS_RUNTIME: 'docker', OMS_COMPOSE_PROJECT: PROJECT, OMS_START_TIMEOUT: '600', OMS_SEED_PRODUCTS: '5', OMS_SEED_CUSTOMERS: '2', OMS_SEED_ORDERS: '2' };
    stack = shiftedStack('docker-brokers', env, 12_000);
    brokers = [0, 2, 4].map((d) => `127.0.0.1:${Number(stack.env.OMS_PORT_KAFKA) + d}`);
  });

  afterAll(async () => {
    // Whatever a failed test left: the project's containers and volumes, then the state dir.
    await oms(['down', '--runtime', 'docker', '--volumes'], { env: stack.env, timeoutMs: 300_000 });
    await stack.cleanup();
  }, 400_000);

  it('when a three-broker stack with two processors is brought up, then a smoke order goes through, status lists three brokers and two instances ready in one group, and every topic has RF 3 and min.insync.replicas 2', async () => {
    const up = await oms(['up', '--runtime', 'docker', '--offline', '--brokers', '3', '--scale', 'orders-stream=2', '--no-console', '--json'], { env: stack.env, timeoutMs: 1_200_000 });
    expect(up.exitCode, up.stderr).toBe(0);
    const services = (await projectContainers(docker, PROJECT)).filter((c) => c.state === 'running').map((c) => c.service);
    expect(services).toEqual(expect.arrayContaining(['kafka', 'kafka-2', 'kafka-3', 'orders-stream', 'orders-stream-2']));
    expect(services).not.toContain('orders-stream-3');

    expect((await expectThreeBrokersTwoProcessors(stack.env, brokers)).runtime).toBe('docker');
  });

  it('when one broker is asked for over the three-broker volumes, then it is refused naming oms down --volumes and nothing changes', async () => {
    const res = await oms(['up', '--runtime', 'docker', '--offline', '--brokers', '1', '--no-console', '--json'], { env: stack.env, timeoutMs: 120_000 });
    await expectOneBrokerRefused(res, stack.env);
  });

  it('when orders-stream is scaled back to one, then the second instance\'s container is removed and status no longer lists it', async () => {
    const up = await oms(['up', '--runtime', 'docker', '--offline', '--scale', 'orders-stream=1', '--no-console', '--no-seed'], { env: stack.env, timeoutMs: 600_000 });
    expect(up.exitCode, up.stderr).toBe(0);
    expect((await projectContainers(docker, PROJECT)).map((c) => c.service)).not.toContain('orders-stream-2');
    const ids = (await statusOf(stack.env)).components.map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['kafka-2', 'kafka-3', 'orders-stream']));
    expect(ids).not.toContain('orders-stream-2');
  });

  it('when oms down --volumes runs, then no container, network or volume of the project is left', async () => {
    const down = await oms(['down', '--runtime', 'docker', '--volumes'], { env: stack.env, timeoutMs: 300_000 });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await projectLeftovers(docker, PROJECT)).toEqual({ containers: [], networks: [], volumes: [] });
  });
});
