/**
 * The keeper with real (tiny) processes: a killed component is restarted and counted, one
 * that keeps exiting ends in `crashloop` with its last exit and log lines, and a component
 * stopped on purpose (`down`) stays stopped. No infra involved (the services need nothing).
 */
import { rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPidFile } from '../process/supervisor.js';
import { createLocalRuntime, defaultLocalSettings, findRepoRoot } from './index.js';

const offset = Number(process.env.OMS_RT_TEST_PORT_OFFSET ?? 20000) + 2000;
const stateDir = path.join(os.tmpdir(), `oms-rt-keeper-${offset}`);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const base = defaultLocalSettings(findRepoRoot());
const runtime = createLocalRuntime({
  ...base,
  stateDir,
  readyTimeoutMs: { ...base.readyTimeoutMs, service: 5000 },
  services: [
    { name: 'steady', port: 3992 + offset, entry: fixture('echo-service.mjs'), needs: [] },
    { name: 'crashy', port: 3993 + offset, entry: fixture('crash-service.mjs'), needs: [] },
  ],
});
const pidFile = (id: string) => path.join(stateDir, 'run', `${id}.pid`);

/** A keeper in this process, fast (the real one polls every 2 s and backs off from 1 s). */
function startKeeper(lines: string[]) {
  const controller = new AbortController();
  const ended = runtime.keep({ signal: controller.signal, intervalMs: 100, minDelayMs: 100, maxDelayMs: 400, crashLoopExits: 4, windowMs: 30_000, log: (l) => lines.push(l) });
  return { ended, stop: () => controller.abort() };
}

async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const statusOf = async (id: string) => (await runtime.status()).find((s) => s.id === id)!;

// Counts of an earlier run (the state file outlives `down`) must not leak into these.
beforeAll(() => rmSync(stateDir, { recursive: true, force: true }));
afterAll(() => runtime.down({ volumes: true }), 60_000);

describe('keeper', () => {
  it('when a running component is killed, then the keeper restarts it, counts it and says why it exited', async () => {
    await runtime.up({ only: ['steady'] });
    const lines: string[] = [];
    const keeper = startKeeper(lines);
    try {
      const first = (await readPidFile(pidFile('steady')))!;
      process.kill(-first.pid, 'SIGKILL');
      const after = await until('a restarted steady', async () => {
        const s = await statusOf('steady');
        return s.ready && s.pid !== first.pid && s.restarts === 1 ? s : undefined;
      });
      expect(after).toMatchObject({ running: true, supervision: 'watching' });
      // Started by `up`, not by the keeper: all it can know is that the pid is gone.
      expect(after.lastExit).toMatch(new RegExp(`pid ${first.pid} is gone`));

      // Now the keeper is the parent: it hears the signal.
      process.kill(-after.pid!, 'SIGKILL');
      const again = await until('a second restart', async () => {
        const s = await statusOf('steady');
        return s.ready && s.restarts === 2 ? s : undefined;
      });
      expect(again.lastExit).toMatch(/killed by SIGKILL/);
      expect(lines.join('\n')).toMatch(/steady: restarted: started \(pid \d+\)/);
    } finally {
      keeper.stop();
      await keeper.ended;
    }
  }, 60_000);

  it('when a component keeps exiting, then the keeper gives up with a crash loop, the last exit reason and its log lines', async () => {
    await runtime.up({ only: ['crashy'] }).catch(() => undefined); // it dies at start; its pid file stays
    const lines: string[] = [];
    const keeper = startKeeper(lines);
    try {
      const s = await until('crashy in a crash loop', async () => {
        const st = await statusOf('crashy');
        return st.supervision === 'crashloop' ? st : undefined;
      });
      expect(s).toMatchObject({ running: false, restarts: 0 });
      expect(s.lastExit).toMatch(/restart failed: service crashy exited with code 1 while starting/);
      const state = await runtime.keeperState();
      expect(state?.components.crashy?.lastExit?.lines.join('\n')).toContain('EADDRINUSE');
      expect(state?.components.crashy?.exits).toHaveLength(4);
      expect(lines.join('\n')).toMatch(/crashy: crash loop \(4 exits within 30s\), not restarting it any more/);
      // Given up means given up: no more attempts.
      const attempts = lines.filter((l) => l.includes('crashy: restart failed')).length;
      await sleep(1000);
      expect(lines.filter((l) => l.includes('crashy: restart failed')).length).toBe(attempts);
    } finally {
      keeper.stop();
      await keeper.ended;
    }
  }, 60_000);

  it('when a component is stopped with down, then the keeper leaves it stopped, and ends once nothing is left to watch', async () => {
    await runtime.down({ only: ['crashy'] });
    await runtime.up({ only: ['steady'] });
    const lines: string[] = [];
    const controller = new AbortController();
    const ended = runtime.keep({ signal: controller.signal, intervalMs: 100, minDelayMs: 100, log: (l) => lines.push(l) });
    try {
      const before = await statusOf('steady');
      expect(before.running).toBe(true);
      await runtime.down({ only: ['steady'] });
      await expect(ended).resolves.toMatch(/nothing left to watch/);
      await sleep(500);
      const after = await statusOf('steady');
      expect(after).toMatchObject({ running: false, pid: null, restarts: before.restarts });
      expect(lines.join('\n')).not.toMatch(/steady: (pid|restart)/);
    } finally {
      controller.abort();
      await ended;
    }
  }, 60_000);
});
