import { existsSync } from 'node:fs';
import path from 'node:path';
import { PrereqError } from '../../../errors.js';
import { entryOf } from '../../stack/catalogue.js';
import { probeHttpHealth } from '../../stack/probes.js';
import type { Component } from '../component.js';
import type { RuntimeContext } from '../context.js';
import { newestBuild } from '../outdated.js';
import { readPidFile } from '../../process/supervisor.js';
import { type ServiceDefinition, commonServiceEnv } from '../settings.js';

/**
 * A Node service: `node <entry>` with the env its definition builds; ready on GET /health 200.
 * Its needs and title come from the catalogue unless the definition says otherwise (the
 * tests' fixture services are not in the catalogue).
 */
export function serviceComponent(ctx: RuntimeContext, service: ServiceDefinition): Component {
  const { settings } = ctx;
  const entry = path.resolve(settings.repoRoot, service.entry);
  const url = `http://${settings.host}:${service.port}`;
  const known = entryOf(service.name);

  async function check(): Promise<void> {
    if (!existsSync(entry)) {
      throw new PrereqError(`Service ${service.name} is not built: ${path.relative(settings.repoRoot, entry)} is missing.`, {
        hint: `npm run build   (in ${settings.repoRoot})`,
      });
    }
  }

  return {
    id: service.name,
    title: known?.title ?? `service ${service.name}`,
    kind: 'service',
    needs: service.needs ?? known?.needs ?? [],
    stopTier: 0,
    usesArtifacts: false,
    ports: [service.port],
    url,
    readyTimeoutMs: settings.readyTimeoutMs.service,
    stop: { signal: 'SIGTERM', group: true, timeoutMs: 20_000 },
    sandboxed: false,
    check,
    prepare: check,
    async launch() {
      const build = service.env ?? commonServiceEnv;
      const inherited: Record<string, string> = {};
      for (const key of ['PATH', 'HOME', 'LANG', 'TZ', 'NODE_OPTIONS', 'NODE_EXTRA_CA_CERTS']) {
        const value = process.env[key];
        if (value !== undefined) inherited[key] = value;
      }
      return {
        command: process.execPath,
        args: ['--enable-source-maps', entry],
        env: { ...inherited, ...build({ endpoints: ctx.endpoints, service, settings }) },
        cwd: settings.repoRoot,
      };
    },
    // A service runs the code it loaded at start: after a rebuild of it (or of service-kit,
    // which every service loads) `up` restarts it, so `oms up` after an edit runs the edit.
    // Only the catalogue's services: a test's fixture service lives beside files tests write.
    async outdated() {
      if (!known) return undefined;
      const started = Date.parse((await readPidFile(ctx.paths.pidFile(service.name)))?.startedAt ?? '');
      const built = await newestBuild([path.dirname(entry), path.join(settings.repoRoot, 'lib/service-kit/dist')]);
      return built && Number.isFinite(started) && built.mtimeMs > started ? `its build changed since it started (${path.relative(settings.repoRoot, built.file)})` : undefined;
    },
    probe: () => probeHttpHealth(`${url}${service.healthPath ?? '/health'}`),
    async dataDirs() {
      return [];
    },
  };
}
