/**
 * The Redis probe against real redis-server processes of its own (Debian's binary, as the
 * local runtime runs it): one with the runtime's flags, one without the append-only file.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test-support/net.js';
import { findRedis } from '../runtime/os-packages.js';
import { redisArgs } from '../runtime/templates.js';
import { probeRedis } from './probes.js';

const dir = mkdtempSync(path.join(tmpdir(), 'oms-probe-redis-'));
const servers: ChildProcess[] = [];

afterAll(() => {
  for (const s of servers) s.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** redis-server with `args` on a free port, once it accepts connections. */
async function redisServer(args: (port: number, dataDir: string) => string[]): Promise<number> {
  const bin = findRedis()?.server;
  if (!bin) throw new Error('redis-server is not installed: apt-get install -y redis-server (oms up installs it when root)');
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(dir, 'data-'));
  servers.push(spawn(bin, args(port, dataDir), { stdio: 'ignore' }));
  for (let i = 0; i < 100; i++) {
    const open = await new Promise<boolean>((resolve) => net.connect(port, '127.0.0.1').on('connect', function (this: net.Socket) { this.destroy(); resolve(true); }).on('error', () => resolve(false)));
    if (open) return port;
    await sleep(50);
  }
  throw new Error(`redis-server on ${port} did not start`);
}

describe('probeRedis', () => {
  it('when Redis runs with the local runtime\'s flags, then it is ready: PING answered, AOF on', async () => {
    const port = await redisServer((p, d) => redisArgs({ host: '127.0.0.1', port: p, dataDir: d }));
    expect(await probeRedis({ host: '127.0.0.1', port })).toEqual({ ready: true, detail: 'PING answered, AOF on' });
  });

  it('when a Redis without its append-only file holds the port, then the probe fails for good, naming why', async () => {
    const port = await redisServer((p, d) => ['--port', String(p), '--bind', '127.0.0.1', '--dir', d, '--appendonly', 'no', '--save', '']);
    const probe = await probeRedis({ host: '127.0.0.1', port });
    expect(probe).toMatchObject({ ready: false, fatal: expect.stringContaining('appendonly no') });
  });

  it('when nothing listens, then it is not ready, with the connection error, and returns at once', async () => {
    const port = await freePort();
    const t0 = Date.now();
    expect(await probeRedis({ host: '127.0.0.1', port })).toMatchObject({ ready: false, detail: expect.stringContaining('ECONNREFUSED') });
    expect(Date.now() - t0).toBeLessThan(3000);
  });
});
