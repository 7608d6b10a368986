import { createRequire } from 'node:module';

/** What kafkajs 2.2.4's Cluster answers for a coordinator lookup (one FindCoordinator request). */
type CoordinatorLookup = (this: ClusterWithCache, params: { groupId: string; coordinatorType?: number }) => Promise<unknown>;

/** A cluster (one per kafkajs client) with the lookups it made. */
export interface ClusterWithCache {
  [cache]?: Map<string, CachedLookup>;
}

/** One lookup's answer and when it was made. */
interface CachedLookup {
  at: number;
  answer: unknown;
}

/** The part of kafkajs 2.2.4's Cluster the cache wraps. */
export interface ClusterPrototype {
  findGroupCoordinatorMetadata: CoordinatorLookup;
  refreshMetadata: (this: ClusterWithCache, ...args: unknown[]) => Promise<unknown>;
  [patched]?: true;
}

const patched = Symbol.for('oms.kafkajs.coordinatorCache');
const cache = Symbol.for('oms.kafkajs.coordinatorCache.entries');

/** How long a coordinator lookup is reused: the most FindCoordinator requests per group and client, one a second. */
export const COORDINATOR_CACHE_MS = 1000;

/**
 * Makes kafkajs 2.2.4 reuse a coordinator lookup for {@link COORDINATOR_CACHE_MS}. It asks the
 * broker which node coordinates a group or transactional id before every transactional step:
 * adding partitions, adding offsets, committing offsets, ending the transaction — two to four
 * FindCoordinator requests per transaction of orders-stream and of the inventory's outbox
 * publisher, the most frequent request the broker served under load (docs/architecture.md,
 * Tuning). A coordinator moves only when a broker goes or partitions are reassigned: a metadata
 * refresh, which kafkajs makes on such errors, drops the cache, and a request sent to a former
 * coordinator fails (NOT_COORDINATOR) as it would have anyway and is retried by whoever sent
 * it. Idempotent; loading this module applies it.
 */
export function cacheKafkaCoordinators(): void {
  let proto: Partial<ClusterPrototype> | undefined;
  try {
    proto = (createRequire(import.meta.url)('kafkajs/src/cluster/index.js') as { prototype?: Partial<ClusterPrototype> }).prototype;
  } catch {
    return; // a kafkajs without this file is not the one this was written for
  }
  if (proto) cacheCoordinatorLookups(proto);
}

/**
 * Wraps a kafkajs Cluster prototype's coordinator lookup in a cache per cluster (client) and
 * coordinator key, emptied by every metadata refresh (see {@link cacheKafkaCoordinators}).
 * Leaves a prototype without those methods, or already wrapped, as it is.
 */
export function cacheCoordinatorLookups(proto: Partial<ClusterPrototype>, ttlMs = COORDINATOR_CACHE_MS, now: () => number = () => performance.now()): void {
  const lookup = proto.findGroupCoordinatorMetadata;
  const refresh = proto.refreshMetadata;
  if (typeof lookup !== 'function' || typeof refresh !== 'function' || proto[patched]) return;
  proto.findGroupCoordinatorMetadata = async function cachedLookup(this: ClusterWithCache, params) {
    const key = `${params.coordinatorType ?? 0}:${params.groupId}`;
    const entries = (this[cache] ??= new Map<string, CachedLookup>());
    const hit = entries.get(key);
    if (hit && now() - hit.at < ttlMs) return hit.answer;
    const answer = await lookup.call(this, params);
    entries.set(key, { at: now(), answer });
    return answer;
  };
  proto.refreshMetadata = function refreshAndForget(this: ClusterWithCache, ...args: unknown[]) {
    this[cache]?.clear();
    return refresh.apply(this, args);
  };
  proto[patched] = true;
}

cacheKafkaCoordinators();
