import { describe, expect, it } from 'vitest';
import { DESIRED_TOPICS, planTopics } from './topics.js';

const orderSpec = DESIRED_TOPICS.find((t) => t.name === 'order')!;

describe('planTopics', () => {
  it('when no topic exists, then every desired topic is created', () => {
    const plan = planTopics(DESIRED_TOPICS, []);
    expect(plan.map((a) => a.action)).toEqual(DESIRED_TOPICS.map(() => 'create'));
  });

  it('when the lookups are listed, then they are compacted and the rest are not', () => {
    const policies = Object.fromEntries(DESIRED_TOPICS.map((t) => [t.name, t.config['cleanup.policy']]));
    expect(policies).toMatchObject({ customer: 'compact', address: 'compact', products: 'compact', order: 'delete', order_detail: 'delete', 'orders-graph': 'delete' });
    // the latest stock record per SKU is the whole truth, so only the latest is kept
    expect(policies.inventory).toBe('compact');
    expect(DESIRED_TOPICS.every((t) => t.partitions === 3)).toBe(true);
  });

  it('when a topic exists as desired, then it is left alone', () => {
    const plan = planTopics([orderSpec], [{ name: 'order', partitions: 3, config: { 'cleanup.policy': 'delete', 'retention.ms': '1' } }]);
    expect(plan).toEqual([{ topic: 'order', action: 'ok' }]);
  });

  it('when a topic has fewer or more partitions, then it is refused with the reason, never changed', () => {
    const fewer = planTopics([orderSpec], [{ name: 'order', partitions: 1, config: { 'cleanup.policy': 'delete' } }])[0]!;
    const more = planTopics([orderSpec], [{ name: 'order', partitions: 6, config: { 'cleanup.policy': 'delete' } }])[0]!;
    expect(fewer.action).toBe('refuse');
    expect(more.action).toBe('refuse');
    expect(fewer.action === 'refuse' && fewer.reason).toMatch(/has 1 partitions, expected 3.*co-partitioning/);
    expect(more.action === 'refuse' && more.reason).toMatch(/cannot reduce partitions/);
  });

  it('when a lookup topic lost its compaction, then the plan sets it back', () => {
    const customer = DESIRED_TOPICS.find((t) => t.name === 'customer')!;
    const [action] = planTopics([customer], [{ name: 'customer', partitions: 3, config: { 'cleanup.policy': 'delete' } }]);
    expect(action).toMatchObject({ action: 'alter-config', changes: [{ key: 'cleanup.policy', from: 'delete', to: 'compact' }] });
  });
});
