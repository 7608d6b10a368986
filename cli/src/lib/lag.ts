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

/** A consumer group's lag together with whether anything is consuming at all. */
export interface GroupProgress {
  group: string;
  /** Members in the group now. None: no consumer runs, so a lag of 0 says nothing about keeping up. */
  members: number;
  /** The group's state as its coordinator reports it (Stable, PreparingRebalance, Empty, Dead, …). */
  state: string;
  /** Per partition: the last committed offset, the end offset, and how far the commit is behind. */
  partitions: GroupLag[];
  /** Records behind, or null when unknown (no member in the group: nothing reads, whatever the offsets say). */
  total: number | null;
}

/** {@link groupLag} plus the group's members (describeGroups), so a stopped consumer is not reported as caught up. */
export async function groupProgress(admin: Admin, group: string, topics: string[]): Promise<GroupProgress> {
  const [described, partitions] = await Promise.all([admin.describeGroups([group]), groupLag(admin, group, topics)]);
  const g = described.groups.find((d) => d.groupId === group);
  const members = g?.members.length ?? 0;
  return { group, members, state: g?.state ?? 'Dead', partitions, total: members === 0 ? null : partitions.reduce((n, p) => n + p.lag, 0) };
}

/**
 * How far behind, in words: "caught up", "12 behind", or unknown with why: no member in the
 * group, or (`processorRunning` false) the consumer is known to be stopped while the group
 * still lists its member until the session times out.
 */
export function describeProgress(p: Pick<GroupProgress, 'total' | 'members'> & { processorRunning?: boolean }): string {
  if (p.members === 0) return 'unknown — no member in the group';
  if (p.total === null || p.processorRunning === false) return `unknown — the consumer is stopped (the group lists ${p.members} member(s) until their session times out)`;
  return p.total === 0 ? 'caught up' : `${p.total} behind`;
}

/** The group's last committed offsets, `topic[partition]=offset` (`-` where nothing was committed). */
export function committedOffsets(p: { partitions: ReadonlyArray<Pick<GroupLag, 'topic' | 'partition' | 'committed'>> }): string {
  return p.partitions.map((r) => `${r.topic}[${r.partition}]=${r.committed ?? '-'}`).join(' ');
}

/**
 * Where the group is, beside {@link describeProgress}: the lag per partition, or, when the lag
 * is unknown (nothing reads), where the group stopped — its last committed offsets.
 */
export function progressDetail(p: { total: number | null; partitions: ReadonlyArray<Pick<GroupLag, 'topic' | 'partition' | 'committed' | 'lag'>> }): string {
  return p.total === null ? `last committed ${committedOffsets(p)}` : p.partitions.map((r) => `${r.topic}[${r.partition}]=${r.lag}`).join(' ');
}
