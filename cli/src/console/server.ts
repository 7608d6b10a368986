/**
 * The console's entry point: reads the same OMS_* configuration as the CLI (`oms up` passes
 * its resolved settings and runtime down), serves the app on 127.0.0.1, and on SIGTERM stops
 * accepting and exits. The only place the console exits.
 */
import { fileURLToPath } from 'node:url';
import { createLogger, runMain, serve } from '@oms/service-kit';
import { loadConfig } from '../config.js';
import type { OpsContext } from '../context.js';
import { findRepoRoot } from '../lib/runtime/settings.js';
import { stackFor } from '../ops/stack.js';
import { opsApi } from './api.js';
import { createConsoleApp, defaultWebRoot } from './app.js';

runMain('console', async () => {
  const REPO_ROOT = findRepoRoot();
  const loaded = loadConfig({ repoRoot: REPO_ROOT, cwd: REPO_ROOT, env: process.env, flags: {} });
  const logger = createLogger('console', loaded.config.logLevel);
  const ctx: OpsContext = { loaded, cwd: REPO_ROOT, repoRoot: REPO_ROOT, env: process.env, signal: new AbortController().signal, debug: (m) => logger.debug(m) };
  const stack = await stackFor(ctx);
  const app = createConsoleApp({ api: opsApi(ctx, stack), logger, webRoot: defaultWebRoot(fileURLToPath(import.meta.url)) });
  logger.info({ runtime: stack.kind, stateDir: loaded.config.stateDir }, 'console for this stack');
  await serve({ app, port: loaded.config.ports.console, host: '127.0.0.1', logger, close: async () => undefined });
});
