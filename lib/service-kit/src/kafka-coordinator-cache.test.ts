import { describe, expect, it } from 'vitest';
import { cacheCoordinatorLookups, type ClusterPrototype } from './kafka-coordinator-cache.js';

/** A stand-in for kafkajs's Cluster: counts the FindCoordinator requests it would send. */
function fakeClusterClass() {
  class FakeCluster {
    lookups = 0;
    refreshes = 0;
    async findGroupCoordinatorMetadata({ groupId }: { groupId: string; coordinatorType?: number }) {
      this.lookups++;
      return { coordinator: { nodeId: 1 }, groupId, n: this.lookups };
    }
    async refreshMetadata() {
      this.refreshes++;
    }
  }
  return FakeCluster;
}

describe('cacheCoordinatorLookups', () => {
  it('when a client asks for the same coordinator again within the interval, then the first answer is reused', async () => {
    const Cluster = fakeClusterClass();
    let clock = 0;
    cacheCoordinatorLookups(Cluster.prototype, 1000, () => clock);
    const cluster = new Cluster();
    const first = await cluster.findGroupCoordinatorMetadata({ groupId: 'g', coordinatorType: 1 });
    clock = 999;
    expect(await cluster.findGroupCoordinatorMetadata({ groupId: 'g', coordinatorType: 1 })).toBe(first);
    expect(cluster.lookups).toBe(1);
  });

  it('when the interval is over, another key is asked, or another client asks, then the broker is asked', async () => {
    const Cluster = fakeClusterClass();
    let clock = 0;
    cacheCoordinatorLookups(Cluster.prototype, 1000, () => clock);
    const cluster = new Cluster();
    await cluster.findGroupCoordinatorMetadata({ groupId: 'g', coordinatorType: 1 });
    await cluster.findGroupCoordinatorMetadata({ groupId: 'g', coordinatorType: 0 });
    await cluster.findGroupCoordinatorMetadata({ groupId: 'h', coordinatorType: 1 });
    expect(cluster.lookups).toBe(3);
    clock = 1000;
    expect(await cluster.findGroupCoordinatorMetadata({ groupId: 'g', coordinatorType: 1 })).toMatchObject({ n: 4 });
    const other = new Cluster();
    await other.findGroupCoordinatorMetadata({ groupId: 'g', coordinatorType: 1 });
    expect(other.lookups).toBe(1);
  });

  it('when the client refreshes its metadata (a broker left, a coordinator moved), then the next lookup asks the broker again', async () => {
    const Cluster = fakeClusterClass();
    cacheCoordinatorLookups(Cluster.prototype, 1000, () => 0);
    const cluster = new Cluster();
    await cluster.findGroupCoordinatorMetadata({ groupId: 'g' });
    await cluster.refreshMetadata();
    expect(cluster.refreshes).toBe(1);
    expect(await cluster.findGroupCoordinatorMetadata({ groupId: 'g' })).toMatchObject({ n: 2 });
  });

  it('when a lookup fails, then nothing is cached and the next one asks again', async () => {
    const Cluster = fakeClusterClass();
    let fail = true;
    const proto = Cluster.prototype as unknown as Partial<ClusterPrototype> & { findGroupCoordinatorMetadata: (p: { groupId: string }) => Promise<unknown> };
    const real = proto.findGroupCoordinatorMetadata;
    proto.findGroupCoordinatorMetadata = async function failingOnce(this: unknown, p: { groupId: string }) {
      if (fail) {
        fail = false;
        throw new Error('GROUP_COORDINATOR_NOT_AVAILABLE');
      }
      return real.call(this, p);
    };
    cacheCoordinatorLookups(proto, 1000, () => 0);
    const cluster = new Cluster();
    await expect(cluster.findGroupCoordinatorMetadata({ groupId: 'g' })).rejects.toThrow('GROUP_COORDINATOR_NOT_AVAILABLE');
    await cluster.findGroupCoordinatorMetadata({ groupId: 'g' });
    await cluster.findGroupCoordinatorMetadata({ groupId: 'g' });
    expect(cluster.lookups).toBe(1);
  });

  it('when applied twice, then lookups are wrapped once', async () => {
    const Cluster = fakeClusterClass();
    const proto = Cluster.prototype as unknown as Partial<ClusterPrototype>;
    cacheCoordinatorLookups(proto, 1000, () => 0);
    const wrapped = proto.findGroupCoordinatorMetadata;
    cacheCoordinatorLookups(proto, 1000, () => 0);
    expect(proto.findGroupCoordinatorMetadata).toBe(wrapped);
  });
});
