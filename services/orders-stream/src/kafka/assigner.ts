import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

/** Partitions per topic for each member id. */
export type Assignment = Record<string, Record<string, number[]>>;

/**
 * Gives partition p of every subscribed topic to the same member. Co-partitioned inputs
 * (`order` and `order_detail` keyed by order id) only join if one instance sees partition p of
 * both; kafkajs's default round-robin assigner deals topic-partitions out one by one and would
 * split them.
 */
export function coPartitionedAssignment(memberIds: string[], partitionsByTopic: Record<string, number[]>): Assignment {
  const members = [...memberIds].sort();
  const out: Assignment = Object.fromEntries(members.map((m) => [m, {}]));
  if (members.length === 0) return out;
  for (const [topic, partitions] of Object.entries(partitionsByTopic)) {
    for (const partition of [...partitions].sort((a, b) => a - b)) {
      const member = members[partition % members.length]!;
      (out[member]![topic] ??= []).push(partition);
    }
  }
  return out;
}

export const CO_PARTITIONED_ASSIGNER_NAME = 'OmsCoPartitioned';

/** The kafkajs face of {@link coPartitionedAssignment}. Every member of the group must use it. */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITIONED_ASSIGNER_NAME,
  version: 1,
  async assign({ members, topics }) {
    const partitionsByTopic = Object.fromEntries(
      topics.map((topic) => [topic, cluster.findTopicPartitionMetadata(topic).map((m) => m.partitionId)]),
    );
    const assignment = coPartitionedAssignment(
      members.map((m) => m.memberId),
      partitionsByTopic,
    );
    return Object.entries(assignment).map(([memberId, byTopic]) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment: byTopic, userData: Buffer.alloc(0) }),
    }));
  },
  protocol({ topics }) {
    return {
      name: CO_PARTITIONED_ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
    };
  },
});
