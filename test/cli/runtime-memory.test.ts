/**
 * The runtime sticks, on a small stack of its own (MariaDB only, its own state dir and port):
 * the state dir remembers the runtime `oms up` used, `oms down` keeps that memory, a plain
 * `oms up` reuses it, and asking for another runtime says what changes before anything else.
 * The same with a Docker daemon answering (where detection alone would pick docker) is
 * runtime-docker.test.ts, run in CI's Docker phase.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorEnvelope, okEnvelope, oms, parseJson, schemas, shiftedStack } from './helpers.js';

// Its own MariaDB port: between the +1000-step offsets whole test stacks use (+14000, +15000, …), and away from +23000.
const stack = shiftedStack('runtime', { OMS_PORT_MYSQL: String(3306 + 14_500) });
/** No runtime asked for: what a user typing a plain `oms up` gets (an empty variable counts as unset). */
const plain = { ...stack.env, OMS_RUNTIME: '' };
const remembered = () => JSON.parse(readFileSync(join(stack.stateDir, 'runtime.json'), 'utf8')) as { runtime: string; at: string };

afterAll(() => stack.cleanup());

describe('the runtime sticks', () => {
  it('when a local stack is taken down, then the state dir still remembers local, a plain oms up stays local and says why, and status names the runtime first', async () => {
    const first = await oms(['up', '--only', 'mariadb', '--no-seed'], { env: stack.env, timeoutMs: 300_000 });
    expect(first.exitCode, first.stderr).toBe(0);
    const memory = remembered();
    expect(memory.runtime).toBe('local');

    const down = await oms(['down'], { env: plain, timeoutMs: 180_000 });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(existsSync(join(stack.stateDir, 'runtime.json'))).toBe(true);
    expect(remembered()).toEqual(memory);

    const again = await oms(['up', '--only', 'mariadb', '--no-seed', '--json'], { env: plain, timeoutMs: 300_000 });
    expect(again.exitCode, again.stderr).toBe(0);
    const data = okEnvelope('up', schemas.up).parse(parseJson(again.stdout)).data;
    expect(data.runtime).toBe('local');
    expect(data.runtimeReason).toBe(`last brought up with local at ${memory.at}`);
    expect(data.runtimeSwitch).toBeNull();

    const status = await oms(['status'], { env: plain });
    expect(status.stdout.split('\n')[0]).toBe(`runtime: local (last brought up with local at ${remembered().at})`);
  });

  it('when the docker runtime is asked for where no daemon answers, then oms up says what would change, stops with exit 3, and the state dir still remembers local', async () => {
    const before = remembered();
    // A socket nothing listens on: no daemon, whatever this machine runs.
    const env = { ...plain, DOCKER_HOST: `unix://${join(stack.stateDir, 'no-daemon.sock')}` };
    const res = await oms(['up', '--runtime', 'docker', '--only', 'mariadb', '--no-seed', '--json'], { env, timeoutMs: 120_000 });
    expect(res.exitCode, res.stderr).toBe(3);
    expect(res.stderr).toContain(`switching runtime: local → docker (--runtime docker; this state dir's stack was last brought up with local at ${before.at})`);
    expect(res.stderr).toContain('The docker stack is a different stack with separate data');
    expect(res.stderr).toContain('`oms up --runtime local` goes back to it');
    expect(errorEnvelope.parse(parseJson(res.stdout)).error.message).toMatch(/needs a Docker daemon/);
    expect(remembered()).toEqual(before);
  });
});
