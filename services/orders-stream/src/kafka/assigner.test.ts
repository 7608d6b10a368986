import { describe, expect, it } from 'vitest';
import { coPartitionedAssignment } from './assigner.js';

describe('coPartitionedAssignment', () => {
  const topics = { order: [0, 1, 2], order_detail: [2, 1, 0] };

  it('when two members share three partitions, then each gets the same partitions of both topics', () => {
    expect(coPartitionedAssignment(['m-b', 'm-a'], topics)).toEqual({
      'm-a': { order: [0, 2], order_detail: [0, 2] },
      'm-b': { order: [1], order_detail: [1] },
    });
  });

  it('when one member is alone, then it gets everything', () => {
    expect(coPartitionedAssignment(['m'], topics)).toEqual({ m: { order: [0, 1, 2], order_detail: [0, 1, 2] } });
  });

  it('when there are more members than partitions, then the extra members get nothing', () => {
    const out = coPartitionedAssignment(['a', 'b', 'c', 'd'], topics);
    expect(out.d).toEqual({});
    expect(out.c).toEqual({ order: [2], order_detail: [2] });
  });
});
