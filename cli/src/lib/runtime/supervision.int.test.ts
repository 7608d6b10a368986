/**
 * Failure paths of the supervisor with real (tiny) processes: a service that dies at start and
 * one that never turns healthy. No infra involved (the services need nothing).
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CheckFailedError } from '../../errors.js';
import { createLocalRuntime, defaultLocalSettings, findRepoRoot } from './index.js';

const offset = Number(process.env.OMS_RT_TEST_PORT_OFFSET ?? 20000) + 2000;
const stateDir = path.join(os.tmpdir(), `oms-rt-supervision-${offset}`);
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const base = defaultLocalSettings(findRepoRoot());
const runtime = createLocalRuntime({
  ...base,
  stateDir,
  readyTimeoutMs: { ...base.readyTimeoutMs, service: 2000 },
  services: [
    { name: 'crashy', port: 3990 + offset, entry: fixture('crash-service.mjs'), needs: [] },
    { name: 'sulky', port: 3991 + offset, entry: fixture('unhealthy-service.mjs'), needs: [] },
  ],
});

afterAll(() => runtime.down({ volumes: true }), 60_000);

describe('supervision failures', () => {
  it('when a process exits while starting, then it fails at once with its exit code, log tail and a diagnosis', async () => {
    const t0 = Date.now();
    const err = (await runtime.up({ only: ['crashy'] }).catch((e: unknown) => e)) as CheckFailedError;
    expect(err).toBeInstanceOf(CheckFailedError);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err.message).toMatch(/service crashy exited with code 1 while starting: a port of crashy is already in use/);
    expect(err.hint).toMatch(/ss -ltnp/);
    expect(err.details.join('\n')).toContain('EADDRINUSE');
  }, 30_000);

  it('when a process never turns ready, then it fails after its timeout, is stopped, and the last check is named', async () => {
    const err = (await runtime.up({ only: ['sulky'] }).catch((e: unknown) => e)) as CheckFailedError;
    expect(err).toBeInstanceOf(CheckFailedError);
    expect(err.message).toMatch(/was not ready within 2s \(last check: health HTTP 503\); stopped it/);
    const status = (await runtime.status()).find((s) => s.id === 'sulky');
    expect(status).toMatchObject({ running: false, ready: false });
  }, 30_000);
});
