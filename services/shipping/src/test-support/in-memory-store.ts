import { randomUUID } from 'node:crypto';
import { VersionConflictError } from '../domain/errors.js';
import type { ShipmentEvent } from '../domain/shipment.js';
import {
  extendStream,
  summarize,
  type RecordedShipmentEvent,
  type ReplayReport,
  type ShipmentListQuery,
  type ShipmentStore,
  type ShipmentStream,
  type ShipmentSummary,
} from '../domain/shipping.js';

/**
 * A {@link ShipmentStore} in memory, for the use-case unit tests: the same contract as the
 * PostgreSQL store (versions, conflicts, projection), which its integration tests check.
 * `beforeAppend` lets a test interleave another writer between load and append.
 */
export class InMemoryShipmentStore implements ShipmentStore {
  readonly streams = new Map<string, RecordedShipmentEvent[]>();
  readonly projection = new Map<string, ShipmentSummary>();
  appends = 0;
  beforeAppend: (() => Promise<void>) | undefined;
  private position = 0;

  constructor(private readonly now: () => Date = () => new Date()) {}

  async load(orderId: string): Promise<ShipmentStream> {
    return extendStream({ orderId, version: 0, state: null, events: [] }, [...(this.streams.get(orderId) ?? [])]);
  }

  async append(stream: ShipmentStream, events: ShipmentEvent[]): Promise<ShipmentStream> {
    const hook = this.beforeAppend;
    this.beforeAppend = undefined;
    await hook?.();
    const existing = this.streams.get(stream.orderId) ?? [];
    if (existing.length !== stream.version) throw new VersionConflictError(stream.orderId, stream.version, existing.length);
    const at = this.now();
    const recorded = events.map((event, i) => ({ ...event, eventId: randomUUID(), version: stream.version + 1 + i, at, position: ++this.position }));
    this.streams.set(stream.orderId, [...existing, ...recorded]);
    this.appends += 1;
    const next = extendStream(stream, recorded);
    const row = summarize(next);
    if (row) this.projection.set(stream.orderId, row);
    return next;
  }

  async list({ status, limit, offset }: ShipmentListQuery): Promise<{ items: ShipmentSummary[]; total: number }> {
    const all = [...this.projection.values()]
      .filter((row) => status === undefined || row.status === status)
      .sort((a, b) => b.updatedAt.getTime() - a.updatedAt.getTime() || a.orderId.localeCompare(b.orderId));
    return { items: all.slice(offset, offset + limit), total: all.length };
  }

  async replayProjection(): Promise<ReplayReport> {
    // The use cases never replay; the real rebuild is tested in shipment-projection.int.test.ts.
    throw new Error('InMemoryShipmentStore does not replay');
  }

  async ping(): Promise<void> {
    // always reachable: the store is this process's memory
  }
}
