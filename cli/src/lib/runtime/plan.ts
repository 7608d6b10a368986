/** The steps of the local runtime's `up` and `down`, over the dependency plan of lib/stack/graph.ts. */
import type { Step } from '../steps.js';
import { needsWithin, selectDown, selectUp, stopFirst } from '../stack/graph.js';
import type { Component, LocalParts } from './component.js';
import { checkPrerequisites, type UpState } from './prerequisites.js';
import { secs, startComponent } from './start.js';
import { stopComponent, verifyPortsFree, wipeData } from './stop.js';

export interface UpOptions {
  /** Component ids to bring up (infra names or service names); what they need comes along. */
  only?: string[];
  /** Infra only. */
  skipServices?: boolean;
  /**
   * Accept a port held by a process oms did not start when it passes that component's
   * readiness check (the test setup reuses a stack started by other means). Default false:
   * a held port is a PrereqError naming its holder.
   */
  adoptExternal?: boolean;
}

export interface DownOptions {
  /** Also delete the data dirs (never the artifact cache). */
  volumes?: boolean;
  /** Component ids to stop (default all). Stopping one stops what needs it first. */
  only?: string[];
}

function titleOf(parts: LocalParts, c: Component): string {
  return `${c.title} on ${c.kind === 'service' ? c.url : `${parts.ctx.settings.host}:${String(c.ports[0])}`}`;
}

/**
 * The steps of `up`, topologically ordered (running them one by one in array order is
 * correct; `needs` lets the runner start independent ones together): prerequisites, the
 * artifacts when a selected component runs from them, then one step per component.
 */
export function upSteps(parts: LocalParts, opts: UpOptions = {}): Step[] {
  const selected = selectUp(parts.components, opts.only).filter((c) => !(opts.skipServices && c.kind === 'service'));
  const state: UpState = { adopted: new Map() };
  const steps: Step[] = [{ id: 'prerequisites', title: 'Check prerequisites', run: (progress) => checkPrerequisites(parts, selected, opts, state, progress) }];
  if (selected.some((c) => c.usesArtifacts)) {
    steps.push({
      id: 'artifacts',
      title: 'Fetch Kafka, Debezium and Elasticsearch (cached)',
      needs: ['prerequisites'],
      run: async () => {
        const t0 = Date.now();
        const a = await parts.ctx.artifacts();
        return a.fetched ? `fetched and extracted in ${secs(t0)} into ${a.dir}` : `cached in ${a.dir}`;
      },
    });
  }
  for (const c of selected) {
    const needs = ['prerequisites', ...(c.usesArtifacts ? ['artifacts'] : []), ...needsWithin(selected, c)];
    steps.push({ id: c.id, title: titleOf(parts, c), needs, run: () => startComponent(parts, c, state) });
  }
  return steps;
}

/**
 * The steps of `down`: what needs a component stops before it (and lower stop tiers before
 * higher ones), then a check that no port is still held, then (with `volumes`) wiping.
 * Ports held by processes oms did not start are collected in `foreign`.
 */
export function downSteps(parts: LocalParts, opts: DownOptions = {}, foreign: Array<{ port: number; holder: string }> = []): Step[] {
  const selected = selectDown(parts.components, opts.only);
  const stops: Step[] = [...selected].reverse().map((c) => ({
    id: `stop:${c.id}`,
    title: `Stop ${c.title}`,
    needs: stopFirst(selected, c).map((id) => `stop:${id}`),
    run: () => stopComponent(parts, c),
  }));
  const steps: Step[] = [...stops, { id: 'verify', title: 'Check that no port is still held', needs: stops.map((s) => s.id), run: () => verifyPortsFree(parts, selected, foreign) }];
  if (opts.volumes) steps.push({ id: 'volumes', title: 'Delete data dirs', needs: ['verify'], run: () => wipeData(parts, selected) });
  return steps;
}
