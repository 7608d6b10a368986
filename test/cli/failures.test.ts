/**
 * Failures that must explain themselves, on an isolated stack (own state dir, every port
 * +23000) that each test stops and deletes afterwards.
 */
import net from 'node:net';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { CLI, REPO_ROOT, errorEnvelope, oms, parseJson, pidFiles, shiftedStack, type ShiftedStack } from './helpers.js';

let stack: ShiftedStack | undefined;
afterEach(async () => {
  await stack?.cleanup();
  stack = undefined;
});

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('explainable failures', () => {
  it('when a port is taken by another process, then oms up exits 3 naming the port and its holder, before starting anything', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      stack = shiftedStack('port', { OMS_PORT_POSTGRES: String(port) });
      const res = await oms(['up', '--no-seed'], { env: stack.env, timeoutMs: 120_000 });
      expect(res.exitCode, res.stderr).toBe(3);
      expect(res.stderr).toContain(`port ${port}`);
      expect(res.stderr).toContain(`(pid ${process.pid})`);
      expect(res.stderr).toMatch(/hint: .*(port|OMS_PORT_POSTGRES)/i);
      expect(pidFiles(stack.stateDir), 'components started').toEqual([]);
      expect(await isListening(Number(stack.env.OMS_PORT_MYSQL))).toBe(false);
      expect(await isListening(Number(stack.env.OMS_PORT_KAFKA))).toBe(false);

      const json = await oms(['up', '--no-seed', '--json'], { env: stack.env, timeoutMs: 120_000 });
      expect(json.exitCode).toBe(3);
      expect(errorEnvelope.parse(parseJson(json.stdout)).error.exitCode).toBe(3);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('when a component is not ready within the start timeout, then the failure names it, shows its log and the stack is left stoppable', async () => {
    stack = shiftedStack('timeout', { OMS_START_TIMEOUT: '1' });
    // OMS_START_TIMEOUT=1 gives every component 1 s, far less than Elasticsearch ever needs;
    // one core makes that margin wider still.
    const res = await oms(['up', '--only', 'elasticsearch', '--no-seed'], { env: stack.env, timeoutMs: 300_000, cpus: '0' });
    expect(res.exitCode, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/error: Elasticsearch was not ready within \d+s/);
    expect(res.stderr).toContain('last lines of');
    expect(res.stderr).toMatch(/hint: /);
    const down = await oms(['down', '--volumes'], { env: stack.env, timeoutMs: 180_000 });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await isListening(Number(stack.env.OMS_PORT_ELASTICSEARCH))).toBe(false);
  });

  it('when Ctrl-C arrives during oms up, then nothing new starts, it exits 130 saying how to finish, and a rerun completes', async () => {
    stack = shiftedStack('interrupt');
    const child = execa('node', [CLI, 'up', '--only', 'connect', '--no-seed'], { cwd: REPO_ROOT, env: { ...process.env, CI: '1', NO_COLOR: '1', ...stack.env }, stdin: 'ignore', reject: false, timeout: 300_000 });
    let stderr = '';
    // Interrupt while Kafka starts: Connect (which needs it) must then not be started.
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('▶ Kafka on')) resolve();
      });
      void child.then(() => resolve());
    });
    child.kill('SIGINT');
    const res = await child;
    expect(res.exitCode, res.stderr).toBe(130);
    expect(res.stderr).toMatch(/interrupted/);
    expect(res.stderr).toMatch(/rerun the same command/);
    expect(pidFiles(stack.stateDir)).toContain('kafka.pid');
    expect(pidFiles(stack.stateDir)).not.toContain('connect.pid');

    const rerun = await oms(['up', '--only', 'connect', '--no-seed'], { env: stack.env, timeoutMs: 300_000 });
    expect(rerun.exitCode, rerun.stderr).toBe(0);
    expect(rerun.stderr).toMatch(/Kafka on .*already running/);
    expect(pidFiles(stack.stateDir)).toEqual(expect.arrayContaining(['kafka.pid', 'connect.pid']));
  });
});
