/**
 * The pipeline's consumer groups — the stream processor, the JDBC sink, the products
 * indexer — with their members (who has which partitions) and the lag per partition; other
 * groups on the broker follow. What the console's groups page and `oms status` show.
 */
import { AssignerProtocol, type Admin } from 'kafkajs';
import type { OpsContext } from '../context.js';
import { endpointsFor } from '../lib/endpoints.js';
import { withAdmin } from '../lib/kafka.js';
import { groupLag } from '../lib/lag.js';
import { READER_GROUP_PREFIX } from '../lib/topic-reader.js';
import { PROCESSOR_GROUP } from './status.js';

/**
 * Groups of the pipeline and what each is. Kafka Connect names a sink connector's group
 * `connect-<connector>`; the products service's indexer uses its KAFKA_GROUP_ID default.
 */
export const PIPELINE_GROUPS: ReadonlyArray<{ id: string; role: string }> = [
  { id: PROCESSOR_GROUP.group, role: 'orders-stream: joins order + order_detail with the lookups into orders-graph' },
  { id: 'connect-oms-graph', role: 'the oms-graph JDBC sink: orders-graph → PostgreSQL' },
  { id: 'products-indexer', role: 'the products service indexer: products → Elasticsearch' },
  { id: 'shipping-orders', role: 'the shipping service: orders-graph → one shipment requested per order' },
  { id: 'orders-graph-shipments', role: 'orders-graph: shipment-events → the read model (order.shipment)' },
];

/** Groups the CLI itself creates for a moment (readers, smoke's watch, orders-stream's lookup loaders): not worth showing. */
const TRANSIENT = [READER_GROUP_PREFIX, 'oms-smoke-', `${PROCESSOR_GROUP.group}.lookups.`];

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  /** Partitions assigned to the member, by topic. */
  assignment: Array<{ topic: string; partitions: number[] }>;
}

export interface GroupReport {
  group: string;
  /** What it is, for the pipeline's groups; null for others. */
  role: string | null;
  /** Stable, Empty, PreparingRebalance, …; Dead when the broker does not know the group. */
  state: string;
  members: GroupMember[];
  /** Per partition it has committed offsets for: committed, end and lag. */
  partitions: Array<{ topic: string; partition: number; committed: string | null; end: string; lag: number }>;
  totalLag: number;
}

/** Decodes a member's assignment; a protocol we cannot read (not a consumer group) shows as none. */
function assignmentOf(buffer: Buffer): GroupMember['assignment'] {
  try {
    const decoded = AssignerProtocol.MemberAssignment.decode(buffer);
    return Object.entries(decoded?.assignment ?? {}).map(([topic, partitions]) => ({ topic, partitions: [...partitions].sort((a, b) => a - b) }));
  } catch {
    return [];
  }
}

async function describe(admin: Admin, ids: string[], roles: Map<string, string>): Promise<GroupReport[]> {
  if (ids.length === 0) return [];
  const { groups } = await admin.describeGroups(ids);
  return Promise.all(
    ids.map(async (id) => {
      const g = groups.find((x) => x.groupId === id);
      const members = (g?.members ?? []).map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignment: assignmentOf(m.memberAssignment) }));
      const lag = await groupLag(admin, id);
      return {
        group: id,
        role: roles.get(id) ?? null,
        state: g?.state ?? 'Dead',
        members,
        partitions: lag.map((l) => ({ topic: l.topic, partition: l.partition, committed: l.committed, end: l.end, lag: l.lag })),
        totalLag: lag.reduce((n, l) => n + l.lag, 0),
      };
    }),
  );
}

/** The pipeline's groups first (whether or not the broker knows them yet), then every other lasting group. */
export async function describeGroups(ctx: OpsContext): Promise<GroupReport[]> {
  return withAdmin(endpointsFor(ctx.loaded.config).kafkaBrokers, async (admin) => {
    const listed = (await admin.listGroups()).groups.map((g) => g.groupId);
    const pipeline = PIPELINE_GROUPS.map((g) => g.id);
    const others = listed.filter((id) => !pipeline.includes(id) && !TRANSIENT.some((p) => id.startsWith(p))).sort();
    return describe(admin, [...pipeline, ...others], new Map(PIPELINE_GROUPS.map((g) => [g.id, g.role])));
  });
}
