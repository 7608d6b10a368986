/**
 * The topics OMS needs, as desired state, and the pure planning that compares it with
 * what a broker has. Kept free of I/O so the plan is unit-tested.
 */
export interface TopicSpec {
  name: string;
  partitions: number;
  /** Topic-level configs we own; anything else on the topic is left alone. */
  config: Record<string, string>;
  purpose: string;
}

const compacted = { 'cleanup.policy': 'compact' };
const deleted = { 'cleanup.policy': 'delete' };

/** The pipeline topics (3 partitions, lookups and per-key state compacted) plus the processor's dead-letter queue. Events are history, never compacted. */
export const DESIRED_TOPICS: readonly TopicSpec[] = [
  { name: 'customer', partitions: 3, config: compacted, purpose: 'CDC of customers.customer (lookup)' },
  { name: 'address', partitions: 3, config: compacted, purpose: 'CDC of customers.address (lookup)' },
  { name: 'products', partitions: 3, config: compacted, purpose: 'product catalogue keyed by SKU (lookup)' },
  { name: 'inventory', partitions: 3, config: compacted, purpose: "each SKU's stock after every change, keyed by SKU (published by the inventory service)" },
  { name: 'order', partitions: 3, config: deleted, purpose: 'CDC of orders.order, keyed by order id' },
  { name: 'order_detail', partitions: 3, config: deleted, purpose: 'CDC of orders.order_detail, keyed by order id' },
  { name: 'orders-graph', partitions: 3, config: deleted, purpose: 'enriched orders for the read model' },
  { name: 'shipment-events', partitions: 3, config: deleted, purpose: "every shipment event, keyed by order id (the shipping service's outbox, published by Debezium)" },
  { name: 'orders-stream.dlq', partitions: 3, config: deleted, purpose: 'records orders-stream could not process' },
];

export interface ExistingTopic {
  name: string;
  partitions: number;
  /** Effective configs (including broker defaults). */
  config: Record<string, string>;
  /** Only the configs set on the topic itself. */
  overrides?: Record<string, string>;
}

export type TopicAction =
  | { topic: string; action: 'create'; spec: TopicSpec }
  | { topic: string; action: 'ok' }
  | { topic: string; action: 'alter-config'; changes: Array<{ key: string; from: string | undefined; to: string }>; spec: TopicSpec }
  | { topic: string; action: 'refuse'; reason: string };

/**
 * Compares desired topics with existing ones. A partition-count mismatch is never fixed
 * silently: fewer partitions is impossible in Kafka, and more would re-key co-partitioned
 * topics (order/order_detail) and break the lookups' key→partition mapping; both are refused.
 */
export function planTopics(desired: readonly TopicSpec[], existing: readonly ExistingTopic[]): TopicAction[] {
  const byName = new Map(existing.map((t) => [t.name, t]));
  return desired.map((spec): TopicAction => {
    const live = byName.get(spec.name);
    if (!live) return { topic: spec.name, action: 'create', spec };
    if (live.partitions !== spec.partitions) {
      const why =
        live.partitions > spec.partitions
          ? `Kafka cannot reduce partitions in place`
          : `adding partitions would move keys and break co-partitioning`;
      return {
        topic: spec.name,
        action: 'refuse',
        reason: `has ${live.partitions} partitions, expected ${spec.partitions}: ${why}; delete the topic (oms down --volumes wipes everything) and rerun`,
      };
    }
    const changes = Object.entries(spec.config)
      .filter(([key, value]) => live.config[key] !== value)
      .map(([key, to]) => ({ key, from: live.config[key], to }));
    return changes.length > 0 ? { topic: spec.name, action: 'alter-config', changes, spec } : { topic: spec.name, action: 'ok' };
  });
}
