/**
 * `oms open`'s operation: the URL of the console, GraphiQL or a service's API docs, opened
 * in a browser when there is a display, else just named.
 */
import { execa } from 'execa';
import type { OpsContext } from '../context.js';
import { UsageError } from '../errors.js';
import { endpointsFor } from '../lib/endpoints.js';
import { probeHttpHealth } from '../lib/stack/probes.js';

export const OPEN_TARGETS = ['console', 'graphiql', 'docs'] as const;
export const DOCS_SERVICES = ['customers', 'products', 'orders', 'shipping'] as const;

export interface OpenResult {
  target: string;
  url: string;
  /** Handed to xdg-open (there is a display and it started). */
  opened: boolean;
  /** Whether the server behind it answers its health check. */
  answering: boolean;
}

/** The URL of a target; an unknown target or service is a UsageError listing the known ones. */
export function urlOf(ctx: OpsContext, target: string, service?: string): { url: string; health: string; label: string } {
  const e = endpointsFor(ctx.loaded.config);
  if (target === 'console') return { url: e.console, health: `${e.console}/health`, label: 'the console' };
  if (target === 'graphiql') return { url: `${e.services.ordersGraph}/graphql`, health: `${e.services.ordersGraph}/health`, label: 'GraphiQL (orders-graph)' };
  if (target === 'docs') {
    const known = DOCS_SERVICES as readonly string[];
    if (!service || !known.includes(service)) {
      throw new UsageError(service ? `no API docs for "${service}"` : '`oms open docs` needs the service', { hint: `one of: ${DOCS_SERVICES.join(', ')} (e.g. \`oms open docs orders\`)` });
    }
    const base = e.services[service as (typeof DOCS_SERVICES)[number]];
    return { url: `${base}/docs`, health: `${base}/health`, label: `the ${service} API docs` };
  }
  throw new UsageError(`cannot open "${target}"`, { hint: `one of: console, graphiql, docs <${DOCS_SERVICES.join('|')}>` });
}

/** True when a graphical session is there to show a browser. */
export function hasDisplay(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Opens `target` with xdg-open when there is a display (a missing xdg-open is not an error: the URL is still printed). */
export async function open(ctx: OpsContext, target: string, service?: string): Promise<OpenResult> {
  const { url, health } = urlOf(ctx, target, service);
  const answering = (await probeHttpHealth(health)).ready;
  let opened = false;
  if (hasDisplay(ctx.env)) {
    const res = await execa('xdg-open', [url], { env: ctx.env, reject: false, stdio: 'ignore', detached: true, timeout: 10_000 });
    opened = res.exitCode === 0;
    if (!opened) ctx.debug(`xdg-open ${url}: ${res.failed ? (res.shortMessage ?? 'failed') : `exit ${String(res.exitCode)}`}`);
  }
  return { target: service ? `${target} ${service}` : target, url, opened, answering };
}
