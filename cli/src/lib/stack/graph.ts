/**
 * The dependency plan, written once for both runtimes: what `up --only` pulls in, what
 * `down --only` also stops, and the order of stopping. Pure functions over any list of
 * nodes (the catalogue, or the local runtime's components, which may add test services).
 */
import { UsageError } from '../../errors.js';

export interface GraphNode {
  id: string;
  needs: readonly string[];
  /** Lower tiers stop first (see the catalogue). */
  stopTier: number;
}

/** A usage error (exit 2) naming unknown ids and listing the known ones. */
export function assertKnown(nodes: readonly GraphNode[], ids: readonly string[]): void {
  const known = new Set(nodes.map((n) => n.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new UsageError(`unknown component${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, { hint: `known: ${[...known].join(', ')}` });
  }
}

/** `only` (default: all) plus everything they need, transitively, in the order of `nodes`. */
export function selectUp<T extends GraphNode>(nodes: readonly T[], only?: readonly string[]): T[] {
  const wanted = new Set(only ?? nodes.map((n) => n.id));
  assertKnown(nodes, [...wanted]);
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const add = (id: string): void => {
    for (const need of byId.get(id)?.needs ?? []) {
      if (!wanted.has(need)) {
        wanted.add(need);
        add(need);
      }
    }
  };
  for (const id of [...wanted]) add(id);
  return nodes.filter((n) => wanted.has(n.id));
}

/** `only` (default: all) plus everything that needs them, transitively, in the order of `nodes`. */
export function selectDown<T extends GraphNode>(nodes: readonly T[], only?: readonly string[]): T[] {
  const wanted = new Set(only ?? nodes.map((n) => n.id));
  assertKnown(nodes, [...wanted]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes) {
      if (!wanted.has(n.id) && n.needs.some((need) => wanted.has(need))) {
        wanted.add(n.id);
        grew = true;
      }
    }
  }
  return nodes.filter((n) => wanted.has(n.id));
}

/** Of `selected`, the ids to stop before `node`: what needs it, and every lower tier. */
export function stopFirst<T extends GraphNode>(selected: readonly T[], node: T): string[] {
  return selected.filter((d) => d.needs.includes(node.id) || d.stopTier < node.stopTier).map((d) => d.id);
}

/** Of `node`'s needs, those among `selected` (a step waits only for what runs in the same plan). */
export function needsWithin(selected: readonly GraphNode[], node: GraphNode): string[] {
  const ids = new Set(selected.map((s) => s.id));
  return node.needs.filter((n) => ids.has(n));
}
