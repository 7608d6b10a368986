import type { Admin } from 'kafkajs';

export interface GroupLag {
  group: string;
  topic: string;
  partition: number;
  committed: string | null;
  end: string;
  lag: number;
}

/**
 * Consumer-group lag per partition: end offset minus committed offset (all of it when
 * nothing is committed). Without `topics`, every topic the group has committed offsets for.
 */
export async function groupLag(admin: Admin, group: string, topics?: string[]): Promise<GroupLag[]> {
  const committed = await admin.fetchOffsets({ groupId: group, ...(topics ? { topics } : {}) });
  const rows: GroupLag[] = [];
  for (const topic of topics ?? committed.map((c) => c.topic).sort()) {
    const ends = await admin.fetchTopicOffsets(topic);
    const mine = committed.find((c) => c.topic === topic)?.partitions ?? [];
    for (const e of ends.sort((a, b) => a.partition - b.partition)) {
      const c = mine.find((p) => p.partition === e.partition)?.offset;
      const has = c !== undefined && c !== '-1';
      rows.push({ group, topic, partition: e.partition, committed: has ? c : null, end: e.high, lag: Math.max(0, Number(e.high) - (has ? Number(c) : Number(e.low))) });
    }
  }
  return rows;
}
