/**
 * What `up` checks before the local runtime starts anything: binaries, Java, each
 * component's own check, the sandbox user, and that every port it will listen on is free.
 */
import path from 'node:path';
import { PrereqError } from '../../errors.js';
import { groupAlive, isAlive, procStat, readPidFile } from '../process/supervisor.js';
import { cachedArtifacts } from './artifacts.js';
import type { Component, LocalParts } from './component.js';
import { describeHolder, takenPorts } from './ports.js';

/** What one `up` learned in its prerequisites step and its start steps use. */
export interface UpState {
  /** Components whose port is held by a foreign server that passes readiness. */
  adopted: Map<string, string>;
}

/** Live process groups of this state dir, by leader pid → component id. */
export async function ourProcessGroups({ ctx, components }: LocalParts): Promise<Map<number, string>> {
  const map = new Map<number, string>();
  for (const c of components) {
    const rec = await readPidFile(ctx.paths.pidFile(c.id));
    if (rec && (isAlive(rec) || groupAlive(rec.pid))) map.set(rec.pid, c.id);
  }
  return map;
}

export interface PortConflict {
  port: number;
  holder: string;
  /** The component of this state dir holding it, if any. */
  ownedBy?: string;
}

/** Held ports of `c`, each with who holds it (one of ours, or a foreign process). */
export async function portConflicts(parts: LocalParts, c: Component, ours: Map<number, string>): Promise<PortConflict[]> {
  const taken = await takenPorts(c.ports, parts.ctx.settings.host);
  return taken.map(({ port, listener }) => {
    const owner = listener?.processes.map((p) => ours.get(procStat(p.pid)?.pgid ?? -1)).find(Boolean);
    return { port, holder: describeHolder(listener), ...(owner ? { ownedBy: owner } : {}) };
  });
}

/**
 * Binaries (what is missing installed in one apt run as root on Debian), Java, artifacts
 * tooling, each component's check and the sandbox user; returns notes for the outcome line.
 */
async function machineChecks({ ctx }: LocalParts, selected: readonly Component[], progress: (message: string) => void): Promise<string[]> {
  const ids = new Set(selected.map((c) => c.id));
  const jvm = selected.some((c) => c.usesArtifacts);
  const fetch = jvm && !cachedArtifacts(ctx.settings.cacheDir, path.join(ctx.assetsDir, 'pom.xml'));
  const notes: string[] = [];
  const os = await ctx.osBinaries({ mariadb: ids.has('mariadb'), postgres: ids.has('postgres'), redis: ids.has('redis'), java: jvm, maven: fetch, unzip: fetch }, progress);
  if (os.installed.length > 0) notes.push(`installed ${os.installed.join(', ')}`);
  if (jvm) notes.push(`Java ${(await ctx.java()).major}`);
  for (const c of selected) await c.check?.();
  if (selected.some((c) => c.sandboxed)) {
    const sandbox = await ctx.sandbox();
    if (sandbox.user) notes.push(`ES/PostgreSQL run as ${sandbox.user.name}`);
  }
  return notes;
}

/**
 * The prerequisites step of `up`: fails with a PrereqError naming every taken port and its
 * holder. With `adoptExternal`, a port held by a foreign server that answers like the
 * component is accepted (recorded in `state.adopted`) instead.
 */
export async function checkPrerequisites(
  parts: LocalParts,
  selected: readonly Component[],
  opts: { adoptExternal?: boolean },
  state: UpState,
  progress: (message: string) => void = () => undefined,
): Promise<string> {
  const notes = await machineChecks(parts, selected, progress);
  const ours = await ourProcessGroups(parts);
  const conflicts: string[] = [];
  let running = 0;
  for (const c of selected) {
    if (isAlive(await readPidFile(parts.ctx.paths.pidFile(c.id)))) {
      running++;
      continue;
    }
    const held = (await portConflicts(parts, c, ours)).filter((h) => h.ownedBy !== c.id);
    if (held.length === 0) continue;
    let why = '';
    if (opts.adoptExternal && !held.some((h) => h.ownedBy)) {
      const probe = await c.probe();
      if (probe.ready) {
        state.adopted.set(c.id, held.map((h) => `${h.holder} on ${h.port}`).join(', '));
        continue;
      }
      why = `, which is not a usable ${c.title} (${probe.fatal ?? probe.detail ?? 'no answer'})`;
    }
    for (const h of held) conflicts.push(`port ${h.port} (${c.title}) is in use by ${h.ownedBy ? `oms's ${h.ownedBy}` : h.holder}${why}`);
  }
  if (conflicts.length > 0) {
    throw new PrereqError(`Ports needed by the local runtime are taken: ${conflicts.join('; ')}.`, {
      hint: 'Stop those processes (a server of your own, or another oms state dir: `oms down` there), or give oms other ports in its config.',
      details: conflicts,
    });
  }
  notes.push(running > 0 ? `${running} already running, ports of the others free` : 'all ports free');
  if (state.adopted.size > 0) notes.push(`reusing ${[...state.adopted.keys()].join(', ')} started outside oms`);
  return notes.join('; ');
}
