import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { acquireLock, groupAlive, isAlive, parseProcStat, readPidFile, spawnDetached, stopProcess } from './supervisor.js';

const dir = await mkdtemp(path.join(os.tmpdir(), 'oms-supervisor-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('parseProcStat', () => {
  it('when the command name holds spaces and parentheses, then the fields after it are still right', () => {
    const stat = parseProcStat('4135 (java (x) y) S 4058 4056 4056 0 -1 4194560 1 0 0 0 10 2 0 0 20 0 30 0 123456 0 0');
    expect(stat).toEqual({ state: 'S', ppid: 4058, pgid: 4056, startTime: '123456' });
  });
});

describe('spawnDetached and stopProcess', () => {
  it('when a detached process group is stopped, then the leader and its children are gone', async () => {
    const pidFile = path.join(dir, 'sleeper.pid');
    const { record } = await spawnDetached(
      { command: '/bin/sh', args: ['-c', 'echo hello; sleep 300 & sleep 300'], env: { PATH: '/usr/bin:/bin' }, cwd: dir, logFile: path.join(dir, 'sleeper.log'), banner: '--- start' },
      pidFile,
    );
    expect(await readPidFile(pidFile)).toEqual(record);
    expect(isAlive(record)).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    expect(await readFile(path.join(dir, 'sleeper.log'), 'utf8')).toBe('--- start\nhello\n');
    expect(await stopProcess(record, { timeoutMs: 5000 })).toBe('stopped');
    expect(isAlive(record)).toBe(false);
    expect(groupAlive(record.pid)).toBe(false);
    expect(await stopProcess(record, { timeoutMs: 1000 })).toBe('not-running');
  });

  it('when a process ignores SIGTERM, then it is killed after the timeout', async () => {
    const { record } = await spawnDetached(
      { command: '/bin/sh', args: ['-c', "trap '' TERM; sleep 300"], env: { PATH: '/usr/bin:/bin' }, cwd: dir, logFile: path.join(dir, 'stubborn.log') },
      path.join(dir, 'stubborn.pid'),
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(await stopProcess(record, { timeoutMs: 500 })).toBe('killed');
    expect(isAlive(record)).toBe(false);
  });

  it('when a pid file names a pid reused by another process, then it is not alive (start time differs)', () => {
    expect(isAlive({ pid: process.pid, startTime: '1', command: 'x', startedAt: '' })).toBe(false);
  });
});

describe('acquireLock', () => {
  it('when the owner is dead, then the lock is taken over; when it is us, then it is reentrant', async () => {
    const file = path.join(dir, 'x.lock');
    const { writeFile } = await import('node:fs/promises');
    await writeFile(file, '999999999');
    const release = await acquireLock(file, { timeoutMs: 1000 });
    expect(await readFile(file, 'utf8')).toBe(String(process.pid));
    const again = await acquireLock(file, { timeoutMs: 1000 });
    await again();
    expect(await readFile(file, 'utf8')).toBe(String(process.pid));
    await release();
  });
});
