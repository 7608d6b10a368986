import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { blocksHost, describeHolder, isPortTaken, parseSsListeners, takenPorts } from './ports.js';

const SS = `State  Recv-Q Send-Q      Local Address:Port Peer Address:PortProcess
LISTEN 0      128               0.0.0.0:2024      0.0.0.0:*
LISTEN 0      80              127.0.0.1:3306      0.0.0.0:*    users:(("mariadbd",pid=3962,fd=24))
LISTEN 0      4096   [::ffff:127.0.0.1]:9200            *:*    users:(("java",pid=4135,fd=137))
LISTEN 0      511                  [::]:80             [::]:*    users:(("nginx",pid=10,fd=6),("nginx",pid=11,fd=6))
LISTEN 0      4096        127.0.0.53%lo:53        0.0.0.0:*    users:(("systemd-resolve",pid=500,fd=14))
LISTEN 0      511                     *:8080              *:*    users:(("node",pid=77,fd=20))
`;

describe('parseSsListeners', () => {
  const listeners = parseSsListeners(SS);

  it('when ss prints its table, then every LISTEN row is parsed and the header skipped', () => {
    expect(listeners.map((l) => l.port)).toEqual([2024, 3306, 9200, 80, 53, 8080]);
  });

  it('when the address is bracketed or scoped, then it is normalized', () => {
    expect(listeners.find((l) => l.port === 9200)?.address).toBe('::ffff:127.0.0.1');
    expect(listeners.find((l) => l.port === 80)?.address).toBe('::');
    expect(listeners.find((l) => l.port === 53)?.address).toBe('127.0.0.53');
  });

  it('when processes are shown, then names and pids are kept; when not, the list is empty', () => {
    expect(listeners.find((l) => l.port === 3306)?.processes).toEqual([{ name: 'mariadbd', pid: 3962 }]);
    expect(listeners.find((l) => l.port === 80)?.processes).toHaveLength(2);
    expect(listeners.find((l) => l.port === 2024)?.processes).toEqual([]);
  });
});

describe('describeHolder', () => {
  it('when pids repeat (forked workers), then each is named once', () => {
    expect(describeHolder({ address: '::', port: 80, processes: [{ name: 'nginx', pid: 10 }, { name: 'nginx', pid: 10 }] })).toBe('nginx (pid 10)');
  });

  it('when ss could not see the process, then it says how to find it', () => {
    expect(describeHolder(undefined)).toMatch(/ss -ltnp/);
  });
});

describe('blocksHost', () => {
  it('when a listener is on a wildcard or our loopback, then it blocks; on another address it does not', () => {
    expect(blocksHost('0.0.0.0', '127.0.0.1')).toBe(true);
    expect(blocksHost('::', '127.0.0.1')).toBe(true);
    expect(blocksHost('::ffff:127.0.0.1', '127.0.0.1')).toBe(true);
    expect(blocksHost('10.0.0.5', '127.0.0.1')).toBe(false);
  });
});

describe('takenPorts', () => {
  it('when a port is held by this process, then it is reported as taken, and a free one is not', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as net.AddressInfo).port;
    try {
      expect(await isPortTaken(port)).toBe(true);
      const taken = await takenPorts([port]);
      expect(taken.map((t) => t.port)).toEqual([port]);
      expect(taken[0]?.listener?.processes.some((p) => p.pid === process.pid) ?? true).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
    expect(await isPortTaken(port)).toBe(false);
  });
});
