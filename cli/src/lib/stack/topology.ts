/**
 * How many Kafka brokers and orders-stream instances a stack runs (`oms up --brokers 3
 * --scale orders-stream=2`), shared by both runtimes. The choice is kept in
 * `<state dir>/topology.json` like the runtime is (runtime-memory.ts): a plain `oms up`,
 * `status`, `down`, `logs` and the keeper keep addressing the same processes. Broker `i`
 * (1-based) is the component `kafka` (i = 1) or `kafka-<i>`, on the client port
 * `ports.kafka + 2(i-1)` and the controller port `ports.kafkaController + 2(i-1)` (9092/9093,
 * 9094/9095, 9096/9097 by default); orders-stream instance `k` is `orders-stream` (k = 1) or
 * `orders-stream-<k>`, its /health and /metrics on `ports.ordersStream + 100(k-1)`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../../errors.js';

/** The broker counts a stack may run: one, or a three-voter quorum (a majority survives one loss). */
export const BROKER_COUNTS = [1, 3] as const;
export type BrokerCount = (typeof BROKER_COUNTS)[number];

/** Most orders-stream instances: the pipeline topics have 3 partitions, and 2 cores run the rest too. */
export const MAX_ORDERS_STREAM = 4;

/** What a stack runs of each scalable part. */
export interface Topology {
  brokers: BrokerCount;
  /** orders-stream instances in one consumer group. */
  ordersStream: number;
}

export const DEFAULT_TOPOLOGY: Topology = { brokers: 1, ordersStream: 1 };

/** The file under the state dir. */
export const TOPOLOGY_FILE = 'topology.json';

const topologySchema = z.object({
  brokers: z.union([z.literal(1), z.literal(3)]),
  ordersStream: z.number().int().min(1).max(MAX_ORDERS_STREAM),
});

export function topologyFile(stateDir: string): string {
  return path.join(stateDir, TOPOLOGY_FILE);
}

/**
 * The topology the state dir remembers (sync: settings and endpoints are built from it
 * synchronously); undefined when none was recorded or the file is not ours to trust.
 */
export function readTopology(stateDir: string): Topology | undefined {
  const file = topologyFile(stateDir);
  if (!existsSync(file)) return undefined;
  try {
    const parsed = topologySchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The remembered topology, else the default (one broker, one instance). */
export function topologyOf(stateDir: string): Topology {
  return readTopology(stateDir) ?? DEFAULT_TOPOLOGY;
}

/** Records `topology` for the state dir (written whole, then renamed). */
export async function rememberTopology(stateDir: string, topology: Topology): Promise<void> {
  const file = topologyFile(stateDir);
  await mkdir(stateDir, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(topology, null, 2)}\n`);
  await rename(partial, file);
}

/** `--brokers` as given: 1 or 3, anything else a UsageError that says why. */
export function parseBrokers(raw: string): BrokerCount {
  const n = Number(raw.trim());
  if (n === 1 || n === 3) return n;
  throw new UsageError(`--brokers ${raw}: must be 1 or 3`, {
    hint: 'a KRaft quorum needs a majority: 3 brokers survive the loss of one (2 would stop with either down), 1 is the plain development setup',
  });
}

/** The components `--scale` can scale, by the name the user types. */
const SCALABLE = { 'orders-stream': 'ordersStream' } as const;

/** `--scale orders-stream=N` (repeatable or comma-separated): what it sets; a UsageError for anything else. */
export function parseScale(raw: readonly string[]): Partial<Pick<Topology, 'ordersStream'>> {
  const out: Partial<Pick<Topology, 'ordersStream'>> = {};
  for (const item of raw.flatMap((r) => r.split(',')).map((s) => s.trim()).filter(Boolean)) {
    const m = /^([a-z0-9-]+)=(.*)$/.exec(item);
    const hint = `give --scale orders-stream=N with N from 1 to ${MAX_ORDERS_STREAM}`;
    if (!m) throw new UsageError(`--scale ${item}: expected <component>=<instances>`, { hint });
    const key = SCALABLE[m[1] as keyof typeof SCALABLE] as (typeof SCALABLE)[keyof typeof SCALABLE] | undefined;
    if (!key) throw new UsageError(`--scale ${item}: ${m[1]!} cannot be scaled (only ${Object.keys(SCALABLE).join(', ')} can)`, { hint });
    const n = Number(m[2]);
    if (!Number.isInteger(n) || n < 1 || n > MAX_ORDERS_STREAM) throw new UsageError(`--scale ${item}: instances must be a whole number from 1 to ${MAX_ORDERS_STREAM}`, { hint });
    out[key] = n;
  }
  return out;
}

/** Component id of broker `i` (1-based). */
export function brokerId(i: number): string {
  return i === 1 ? 'kafka' : `kafka-${i}`;
}

/** Component id of orders-stream instance `k` (1-based). */
export function ordersStreamId(k: number): string {
  return k === 1 ? 'orders-stream' : `orders-stream-${k}`;
}

/** Ids of every broker of the topology. */
export function brokerIds(t: { brokers: number }): string[] {
  return Array.from({ length: t.brokers }, (_, i) => brokerId(i + 1));
}

/** Ids of every orders-stream instance of the topology. */
export function ordersStreamIds(t: Pick<Topology, 'ordersStream'>): string[] {
  return Array.from({ length: t.ordersStream }, (_, i) => ordersStreamId(i + 1));
}

/** Client and controller port of broker `i` (1-based). */
export function brokerPorts(ports: { kafka: number; kafkaController: number }, i: number): { client: number; controller: number } {
  return { client: ports.kafka + 2 * (i - 1), controller: ports.kafkaController + 2 * (i - 1) };
}

/** The /health and /metrics port of orders-stream instance `k` (1-based). */
export function ordersStreamPort(base: number, k: number): number {
  return base + 100 * (k - 1);
}

/** Every broker's `host:port`: what each client's bootstrap list names. */
export function kafkaBootstrap(host: string, ports: { kafka: number; kafkaController: number }, t: { brokers: number }): string[] {
  return Array.from({ length: t.brokers }, (_, i) => `${host}:${brokerPorts(ports, i + 1).client}`);
}

/**
 * Replication of the topics the stack creates: with 3 brokers every record is on all three and
 * a write needs two of them (one broker may fail with nothing lost and nothing paused beyond
 * the leader move); with one broker, one copy.
 */
export function replicationOf(t: { brokers: number }): { replicationFactor: number; minInsync: number } {
  return t.brokers >= 3 ? { replicationFactor: 3, minInsync: 2 } : { replicationFactor: 1, minInsync: 1 };
}

/**
 * `broker.session.timeout.ms` of every broker: with three, a killed broker gives its partitions
 * up after 6 s instead of Kafka's default 9 s of missed heartbeats (the failover the fault
 * battery measures); one broker keeps the default (undefined).
 */
export function brokerSessionTimeoutMs(t: { brokers: number }): number | undefined {
  return t.brokers >= 3 ? 6000 : undefined;
}

/**
 * `nodes` (catalogue order) with every broker after `kafka` and every orders-stream instance
 * after `orders-stream`, each extra one made by `copy` (its id and 1-based number); with more
 * than one broker, what needs `kafka` needs every broker (topics with RF 3 and Connect's
 * internal topics cannot be created before all three have registered).
 */
export function expandTopology<T extends { id: string; needs: readonly string[] }>(nodes: readonly T[], t: Topology, copy: (node: T, id: string, n: number) => T): T[] {
  const brokers = brokerIds(t);
  const expanded = nodes.flatMap((node) => {
    const ids = node.id === 'kafka' ? brokers : node.id === 'orders-stream' ? ordersStreamIds(t) : [node.id];
    return ids.map((id, i) => (i === 0 ? node : copy(node, id, i + 1)));
  });
  return expanded.map((node) => (brokers.length > 1 && node.needs.includes('kafka') ? { ...node, needs: [...node.needs, ...brokers.slice(1)] } : node));
}

/** The catalogue id an instance or broker id belongs to (`kafka-2` → `kafka`, `orders-stream-3` → `orders-stream`). */
export function catalogueIdOf(id: string): string {
  const m = /^(kafka|orders-stream)-(\d+)$/.exec(id);
  return m ? m[1]! : id;
}

/**
 * The topology `up` runs: what was asked, else what the state dir remembers, else the default.
 * A broker count other than the one the existing Kafka data was formatted for is refused
 * (`dataExists`): its metadata quorum and every topic's replicas were laid out for the other
 * count, so the only way across is a fresh cluster.
 */
export function resolveTopology(
  asked: { brokers?: BrokerCount; ordersStream?: number },
  remembered: Topology | undefined,
  dataExists: boolean,
): Topology {
  const base = remembered ?? DEFAULT_TOPOLOGY;
  const wanted: Topology = { brokers: asked.brokers ?? base.brokers, ordersStream: asked.ordersStream ?? base.ordersStream };
  if (dataExists && wanted.brokers !== base.brokers) {
    throw new UsageError(`--brokers ${wanted.brokers}: this stack's Kafka data was made by ${base.brokers} broker(s)`, {
      hint: `a cluster cannot change between 1 and 3 brokers in place (its quorum and every topic's replicas were laid out for ${base.brokers}): \`oms down --volumes\` deletes all the stack's data, then \`oms up --brokers ${wanted.brokers}\`; or keep ${base.brokers} with \`oms up --brokers ${base.brokers}\``,
    });
  }
  return wanted;
}
