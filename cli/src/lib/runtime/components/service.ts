import { existsSync } from 'node:fs';
import path from 'node:path';
import { PrereqError } from '../../../errors.js';
import type { Component } from '../component.js';
import type { RuntimeContext } from '../context.js';
import { probeHttpHealth } from '../probes.js';
import { type ServiceDefinition, commonServiceEnv } from '../settings.js';

/** A Node service: `node <entry>` with the env its definition builds; ready on GET /health 200. */
export function serviceComponent(ctx: RuntimeContext, service: ServiceDefinition, needs: string[]): Component {
  const { settings } = ctx;
  const entry = path.resolve(settings.repoRoot, service.entry);
  const url = `http://${settings.host}:${service.port}`;

  return {
    id: service.name,
    title: `service ${service.name}`,
    kind: 'service',
    ports: [service.port],
    url,
    needs,
    readyTimeoutMs: settings.readyTimeoutMs.service,
    stop: { signal: 'SIGTERM', group: true, timeoutMs: 20_000 },
    sandboxed: false,
    async check() {
      if (!existsSync(entry)) {
        throw new PrereqError(`Service ${service.name} is not built: ${path.relative(settings.repoRoot, entry)} is missing.`, {
          hint: `npm run build   (in ${settings.repoRoot})`,
        });
      }
    },
    async prepare() {
      await this.check!();
    },
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
    probe: () => probeHttpHealth(`${url}${service.healthPath ?? '/health'}`),
    async dataDirs() {
      return [];
    },
  };
}
