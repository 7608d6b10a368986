import type { Redis } from 'ioredis';
import { defineScript, guardRedis, type ScriptRunner } from './redis.js';

// Take the lease when it is free, or extend it when we hold it: one atomic step, so two
// instances can never both believe they hold it at the same moment.
const HOLD = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

// Give it up only if it is still ours (it may have expired and gone to another instance).
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`;

export interface RedisLeaseOptions {
  /** The key that holds the current holder's token. */
  key: string;
  /** This instance's token (unique per process). */
  owner: string;
  /** How long the lease lasts without a renewal: how long a dead holder blocks the others. */
  ttlMs: number;
}

/**
 * A lease in Redis that one instance holds at a time, renewed by calling {@link hold} more often
 * than every `ttlMs`. It decides who does a job; it cannot stop a holder that stalled past its
 * TTL from acting late, so whatever it guards must also be fenced where it writes (the outbox
 * publisher's Kafka transactional id does that).
 */
export class RedisLease {
  private readonly holdScript: ScriptRunner;
  private readonly releaseScript: ScriptRunner;

  constructor(
    redis: Redis,
    private readonly options: RedisLeaseOptions,
  ) {
    this.holdScript = defineScript(redis, 'leaseHold', HOLD);
    this.releaseScript = defineScript(redis, 'leaseRelease', RELEASE);
  }

  get owner(): string {
    return this.options.owner;
  }

  /** Takes the lease if it is free, renews it if it is ours; true while we hold it. */
  async hold(): Promise<boolean> {
    const { key, owner, ttlMs } = this.options;
    return (await guardRedis(() => this.holdScript([key], [owner, ttlMs]))) === 1;
  }

  /** Gives the lease up at once (so another instance need not wait for the TTL), if it is still ours. */
  async release(): Promise<void> {
    const { key, owner } = this.options;
    await guardRedis(() => this.releaseScript([key], [owner]));
  }
}
