import { ConflictError } from '@oms/service-kit';

/**
 * Optimistic concurrency failed: the caller decided on version `expectedVersion` of a stream
 * that is now at `currentVersion`. Thrown both when a command names a stale version and when
 * a concurrent append wins the race for the same version. A 409 naming the current version, so
 * the client can read the shipment again and retry.
 */
export class VersionConflictError extends ConflictError {
  constructor(
    readonly streamId: string,
    readonly expectedVersion: number,
    readonly currentVersion: number,
  ) {
    super(`version conflict on ${streamId}: expected version ${expectedVersion}, but it is at version ${currentVersion}; read it again and retry`, {
      streamId,
      expectedVersion,
      currentVersion,
    });
    this.name = 'VersionConflictError';
  }
}
