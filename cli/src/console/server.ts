/**
 * The console's entry point. service-kit runs it like every service (listen, serve, shut
 * down on SIGTERM, say how it ended); its configuration is the CLI's own — the OMS_*
 * settings `oms up` passes down, the runtime already resolved. Only this file exits.
 */
import { fileURLToPath } from 'node:url';
import { ConfigError, runService, type BaseServiceConfig } from '@oms/service-kit';
import { loadConfig, type LoadedConfig } from '../config.js';
import type { OpsContext } from '../context.js';
import { UsageError } from '../errors.js';
import { findRepoRoot } from '../lib/runtime/settings.js';
import { chooseStack } from '../ops/stack.js';
import { opsApi } from './api.js';
import { createConsoleApp, defaultWebRoot } from './app.js';

interface ConsoleConfig extends BaseServiceConfig {
  loaded: LoadedConfig;
  repoRoot: string;
}

/** The CLI's configuration, in the shape service-kit runs a service with; its problems as a ConfigError. */
function consoleConfig(): ConsoleConfig {
  const repoRoot = findRepoRoot();
  try {
    const loaded = loadConfig({ repoRoot, cwd: repoRoot, env: process.env, flags: {} });
    const { config } = loaded;
    return { PORT: config.ports.console, HOST: '127.0.0.1', LOG_LEVEL: config.logLevel, START_TIMEOUT_MS: config.timeouts.startSeconds * 1000, loaded, repoRoot };
  } catch (err) {
    if (err instanceof UsageError) throw new ConfigError(err.details.length > 0 ? err.details : [err.message]);
    throw err;
  }
}

const exitCode = await runService({
  name: 'console',
  loadConfig: consoleConfig,
  create: async ({ config, logger }) => {
    const ctx: OpsContext = { loaded: config.loaded, cwd: config.repoRoot, repoRoot: config.repoRoot, env: process.env, signal: new AbortController().signal, debug: (m) => logger.debug(m) };
    // Resolved once: `oms up` passes the runtime it chose, so this contacts nothing.
    const chosen = await chooseStack(ctx);
    logger.info({ runtime: chosen.stack.kind, why: chosen.choice.reason, stateDir: config.loaded.config.stateDir }, 'console for this stack');
    // Nothing to wait for: the console shows a stack that is down as down.
    return { app: createConsoleApp({ api: opsApi(ctx, chosen), logger, webRoot: defaultWebRoot(fileURLToPath(import.meta.url)) }), waitFor: [], close: async () => undefined };
  },
});
process.exit(exitCode);
