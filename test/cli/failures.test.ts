/**
 * Failures that must explain themselves, on an isolated stack (own state dir, every port
 * +30000) that each test stops and deletes afterwards.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { errorEnvelope, oms, parseJson, pidFiles, shiftedStack, type ShiftedStack } from './helpers.js';

let stack: ShiftedStack | undefined;
afterEach(async () => {
  await stack?.cleanup();
  stack = undefined;
});

function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
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
    // The runtime waits at least 10 s whatever the timeout, and Elasticsearch can start in
    // about that on two free cores: one core makes it reliably slower than the wait.
    const res = await oms(['up', '--only', 'elasticsearch', '--no-seed'], { env: stack.env, timeoutMs: 300_000, cpus: '0' });
    expect(res.exitCode, res.stderr).toBe(1);
    expect(res.stderr).toMatch(/error: Elasticsearch was not ready within \d+s/);
    expect(res.stderr).toContain('last lines of');
    expect(res.stderr).toMatch(/hint: /);
    const down = await oms(['down', '--volumes'], { env: stack.env, timeoutMs: 180_000 });
    expect(down.exitCode, down.stderr).toBe(0);
    expect(await isListening(Number(stack.env.OMS_PORT_ELASTICSEARCH))).toBe(false);
  });
});
