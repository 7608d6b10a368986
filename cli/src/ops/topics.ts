/** The pipeline topics as desired state: plan and apply (`oms topics create`, `oms up`), and read them back. */
import { CheckFailedError } from '../errors.js';
import { TOPIC_RESOURCE, describeTopics, topicOffsets, withAdmin } from '../lib/kafka.js';
import { retry } from '../lib/retry.js';
import { replicationOf } from '../lib/stack/topology.js';
import { DESIRED_TOPICS, planTopics, type TopicAction } from '../lib/topics.js';

export type { TopicAction };

/**
 * Applies the topic plan; refused topics are left as they are and reported in the plan. New
 * topics get one replica per broker of `brokers` (3 with three brokers: the brokers'
 * `min.insync.replicas` 2 then lets one fail).
 */
export async function ensureTopics(brokers: string[], dryRun: boolean): Promise<TopicAction[]> {
  return withAdmin(brokers, async (admin) => {
    const existing = await describeTopics(admin, DESIRED_TOPICS.map((t) => t.name));
    const plan = planTopics(DESIRED_TOPICS, existing);
    if (dryRun) return plan;
    const toCreate = plan.flatMap((a) => (a.action === 'create' ? [a.spec] : []));
    if (toCreate.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: toCreate.map((s) => ({
          topic: s.name,
          numPartitions: s.partitions,
          replicationFactor: replicationOf({ brokers: brokers.length }).replicationFactor,
          configEntries: Object.entries(s.config).map(([name, value]) => ({ name, value })),
        })),
      });
    }
    for (const a of plan) {
      if (a.action !== 'alter-config') continue;
      const live = existing.find((t) => t.name === a.topic)?.overrides ?? {};
      // alterConfigs replaces the topic's dynamic configs: send the live set with ours on top.
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: TOPIC_RESOURCE, name: a.topic, configEntries: Object.entries({ ...live, ...a.spec.config }).map(([name, value]) => ({ name, value })) }],
      });
    }
    return plan;
  });
}

/** One line per planned action. */
export function describeAction(a: TopicAction, dryRun: boolean): string {
  switch (a.action) {
    case 'create':
      return `${a.topic}: ${dryRun ? 'would create' : 'created'} (${a.spec.partitions} partitions, ${Object.entries(a.spec.config).map(([k, v]) => `${k}=${v}`).join(', ')})`;
    case 'ok':
      return `${a.topic}: already as desired`;
    case 'alter-config':
      return `${a.topic}: ${dryRun ? 'would set' : 'set'} ${a.changes.map((c) => `${c.key} ${c.from ?? '(default)'} → ${c.to}`).join(', ')}`;
    case 'refuse':
      return `${a.topic}: REFUSED — ${a.reason}`;
  }
}

/** A CheckFailedError naming every topic that exists with settings that cannot be changed in place. */
export function assertNoRefusals(plan: TopicAction[]): void {
  const refused = plan.filter((a) => a.action === 'refuse');
  if (refused.length > 0) {
    throw new CheckFailedError(`${refused.length} topic(s) exist with settings that cannot be changed in place`, {
      details: refused.map((a) => describeAction(a, false)),
      hint: 'delete the listed topics (or wipe everything with `oms down --volumes`), then rerun `oms topics create`',
    });
  }
}

/** Kafka errors kafkajs marks retriable (itself, or the one its retries ended on): a leader moving, metadata not yet on every broker. */
export function isRetriableKafkaError(err: unknown): boolean {
  const e = err as { retriable?: unknown; cause?: unknown; originalError?: unknown } | null;
  if (typeof e !== 'object' || e === null) return false;
  return e.retriable === true || isRetriableKafkaError(e.cause) || isRetriableKafkaError(e.originalError);
}

/**
 * The `up` step: topics as desired, or a failure naming the ones it cannot fix. With three
 * brokers, a topic the controller just created can be unknown for a moment to the broker
 * asked next ("This server does not host this topic-partition"): such errors are retried, and
 * as the plan is made afresh each time, a retry only finishes what is left.
 */
export async function topicsStepOutcome(brokers: string[]): Promise<string> {
  const plan = await retry(() => ensureTopics(brokers, false), { shouldRetry: isRetriableKafkaError, timeoutMs: 60_000, minDelayMs: 500, maxDelayMs: 4000 });
  assertNoRefusals(plan);
  const created = plan.filter((a) => a.action === 'create').length;
  return created > 0 ? `created ${created}` : 'all present';
}

export interface TopicRow {
  topic: string;
  exists: boolean;
  partitions: number | null;
  cleanupPolicy: string | null;
  config: Record<string, string>;
  /** Per partition: earliest and end offsets. */
  offsets: Array<{ partition: number; low: string; high: string }>;
  /** Sum of (end - earliest) over partitions: records currently retained (approximate for compacted topics). */
  records: number;
}

/** Reads partitions, config and offsets of the given topics. */
export async function readTopics(brokers: string[], names: string[]): Promise<TopicRow[]> {
  return withAdmin(brokers, async (admin) => {
    const existing = await describeTopics(admin, names);
    return Promise.all(
      names.map(async (name): Promise<TopicRow> => {
        const t = existing.find((e) => e.name === name);
        if (!t) return { topic: name, exists: false, partitions: null, cleanupPolicy: null, config: {}, offsets: [], records: 0 };
        const offsets = await topicOffsets(admin, name);
        const records = offsets.reduce((n, o) => n + Math.max(0, Number(o.high) - Number(o.low)), 0);
        return { topic: name, exists: true, partitions: t.partitions, cleanupPolicy: t.config['cleanup.policy'] ?? null, config: t.config, offsets, records };
      }),
    );
  });
}

/** The pipeline topics' names (what list and describe show by default). */
export function pipelineTopicNames(): string[] {
  return DESIRED_TOPICS.map((t) => t.name);
}

/** Every topic on the broker but Kafka's own (`__…`): the pipeline's first, in their order, then the others by name. */
export async function readAllTopics(brokers: string[]): Promise<TopicRow[]> {
  const names = await withAdmin(brokers, (admin) => admin.listTopics());
  const pipeline = pipelineTopicNames().filter((n) => names.includes(n));
  const others = names.filter((n) => !n.startsWith('__') && !pipeline.includes(n)).sort();
  return readTopics(brokers, [...pipeline, ...others]);
}
