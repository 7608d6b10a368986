import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../test-support/net.js';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import type { OpsContext } from '../context.js';
import { UsageError } from '../errors.js';
import { hasDisplay, open, urlOf } from './open.js';

const REPO_ROOT = resolve(fileURLToPath(import.meta.url), '../../../..');
const stateDir = mkdtempSync(join(tmpdir(), 'oms-open-'));
afterAll(() => rmSync(stateDir, { recursive: true, force: true }));

function context(env: NodeJS.ProcessEnv): OpsContext {
  const loaded = loadConfig({ repoRoot: REPO_ROOT, cwd: REPO_ROOT, env: { OMS_STATE_DIR: stateDir, ...env }, flags: {} });
  return { loaded, cwd: REPO_ROOT, repoRoot: REPO_ROOT, env, signal: new AbortController().signal, debug: () => undefined };
}

describe('oms open', () => {
  it('when a target is named, then its URL follows the configured ports', () => {
    const ctx = context({ OMS_PORT_CONSOLE: '13080', OMS_PORT_ORDERS_GRAPH: '14000', OMS_PORT_ORDERS: '13003' });
    expect(urlOf(ctx, 'console').url).toBe('http://127.0.0.1:13080');
    expect(urlOf(ctx, 'graphiql').url).toBe('http://127.0.0.1:14000/graphql');
    expect(urlOf(ctx, 'docs', 'orders').url).toBe('http://127.0.0.1:13003/docs');
  });

  it('when the target or the docs service is unknown, then it is a usage error listing the choices', () => {
    const ctx = context({});
    expect(() => urlOf(ctx, 'kibana')).toThrow(UsageError);
    expect(() => urlOf(ctx, 'docs')).toThrow(/needs the service/);
    expect(() => urlOf(ctx, 'docs', 'orders-stream')).toThrow(/no API docs for "orders-stream"/);
  });

  it('when there is no display, then nothing is launched and the URL is returned, with whether it answers', async () => {
    expect(hasDisplay({})).toBe(false);
    expect(hasDisplay({ WAYLAND_DISPLAY: 'wayland-0' })).toBe(true);
    // A port nothing listens on: the console "does not answer".
    const port = await freePort();
    const result = await open(context({ OMS_PORT_CONSOLE: String(port) }), 'console');
    expect(result).toEqual({ target: 'console', url: `http://127.0.0.1:${port}`, opened: false, answering: false });
  });
});
