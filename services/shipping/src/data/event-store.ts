import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { VersionConflictError } from '../domain/errors.js';
import { withTransaction, type Queryable } from './transaction.js';

/** An event to append: its type and JSON data. */
export interface NewEvent {
  type: string;
  data: unknown;
}

/** An event as stored (tables in `database.ts`). */
export interface StoredEvent {
  eventId: string;
  streamId: string;
  version: number;
  type: string;
  data: unknown;
  at: Date;
  /** `global_position`; int8 comes back as a string and stays far below 2^53 here. */
  position: number;
}

/** What an outbox row is made of; Debezium's outbox router publishes `payload` keyed by the stream id. */
export interface OutboxMapping {
  /** The `aggregatetype` column (the connector routes every row to one topic, whatever it says). */
  aggregateType: string;
  payload: (event: StoredEvent) => Record<string, unknown>;
}

/** Runs inside the append's transaction after the events and their outbox rows are written. */
export type InTransaction = (tx: pg.PoolClient, appended: StoredEvent[]) => Promise<void>;

/** The unique constraint on (stream_id, version) in `database.ts`. */
const STREAM_VERSION_CONSTRAINT = 'events_stream_version_key';

interface EventRow {
  global_position: string;
  event_id: string;
  stream_id: string;
  version: number;
  type: string;
  data: unknown;
  occurred_at: Date;
}

const EVENT_COLUMNS = 'global_position, event_id, stream_id, version, type, data, occurred_at';

const toStoredEvent = (row: EventRow): StoredEvent => ({
  eventId: row.event_id,
  streamId: row.stream_id,
  version: row.version,
  type: row.type,
  data: row.data,
  at: row.occurred_at,
  position: Number(row.global_position),
});

/**
 * An append-only event store in PostgreSQL with optimistic concurrency per stream and a
 * transactional outbox: every append writes its events, one outbox row per event and whatever
 * `inTransaction` writes (the projection) in one transaction, so a crash at any point leaves
 * all of it or none of it.
 */
export class PgEventStore {
  private readonly newId: () => string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly outbox: OutboxMapping,
    options: { newId?: () => string } = {},
  ) {
    this.newId = options.newId ?? randomUUID;
  }

  /** The events of a stream in version order, and its version (0 for a stream never written). */
  async readStream(streamId: string): Promise<{ version: number; events: StoredEvent[] }> {
    const { rows } = await this.pool.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version`, [streamId]);
    const events = rows.map(toStoredEvent);
    return { version: events.at(-1)?.version ?? 0, events };
  }

  /** The version of a stream: its number of events. */
  async currentVersion(streamId: string, db: Queryable = this.pool): Promise<number> {
    const { rows } = await db.query<{ version: number | null }>('SELECT max(version) AS version FROM events WHERE stream_id = $1', [streamId]);
    return rows[0]?.version ?? 0;
  }

  /**
   * Appends `events` as versions `expectedVersion + 1 …`. When the stream has moved on (a stale
   * `expectedVersion`, or a concurrent append that committed first) nothing is written and a
   * {@link VersionConflictError} names the current version.
   */
  async append(streamId: string, expectedVersion: number, events: readonly NewEvent[], inTransaction?: InTransaction): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    try {
      return await withTransaction(this.pool, async (tx) => {
        const stored = await this.insertEvents(tx, streamId, expectedVersion, events);
        await this.insertOutboxRows(tx, stored);
        await inTransaction?.(tx, stored);
        return stored;
      });
    } catch (err) {
      if (isUniqueViolation(err, STREAM_VERSION_CONSTRAINT)) {
        throw new VersionConflictError(streamId, expectedVersion, await this.currentVersion(streamId));
      }
      throw err;
    }
  }

  private async insertEvents(tx: pg.PoolClient, streamId: string, expectedVersion: number, events: readonly NewEvent[]): Promise<StoredEvent[]> {
    // The unique constraint alone would accept a version ahead of the stream and leave a gap;
    // checking the current version first keeps versions dense. An append that commits between
    // this check and the insert is caught by the constraint.
    const current = await this.currentVersion(streamId, tx);
    if (current !== expectedVersion) throw new VersionConflictError(streamId, expectedVersion, current);
    const { rows } = await tx.query<EventRow>(
      `INSERT INTO events (event_id, stream_id, version, type, data)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::int[], $4::text[], $5::jsonb[])
       RETURNING ${EVENT_COLUMNS}`,
      [
        events.map(() => this.newId()),
        events.map(() => streamId),
        events.map((_, i) => expectedVersion + 1 + i),
        events.map((e) => e.type),
        events.map((e) => JSON.stringify(e.data)),
      ],
    );
    // RETURNING does not promise input order.
    return rows.map(toStoredEvent).sort((a, b) => a.version - b.version);
  }

  private async insertOutboxRows(tx: pg.PoolClient, stored: readonly StoredEvent[]): Promise<void> {
    await tx.query(
      `INSERT INTO outbox (id, aggregatetype, aggregateid, type, payload)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[])`,
      [
        stored.map((e) => e.eventId),
        stored.map(() => this.outbox.aggregateType),
        stored.map((e) => e.streamId),
        stored.map((e) => e.type),
        stored.map((e) => JSON.stringify(this.outbox.payload(e))),
      ],
    );
  }
}

/** Where a scan in stream order stopped: the last (stream, version) it returned. */
export interface StreamCursor {
  streamId: string;
  version: number;
}

/**
 * Up to `limit` events of all streams, ordered by stream then version, after `cursor`. Keyset
 * paging, so a rebuild reads a large store in constant memory per page.
 */
export async function readEventsInStreamOrder(db: Queryable, cursor: StreamCursor | null, limit: number): Promise<StoredEvent[]> {
  const { rows } = cursor
    ? await db.query<EventRow>(
        `SELECT ${EVENT_COLUMNS} FROM events WHERE (stream_id, version) > ($1::text, $2::int) ORDER BY stream_id, version LIMIT $3`,
        [cursor.streamId, cursor.version, limit],
      )
    : await db.query<EventRow>(`SELECT ${EVENT_COLUMNS} FROM events ORDER BY stream_id, version LIMIT $1`, [limit]);
  return rows.map(toStoredEvent);
}

function isUniqueViolation(err: unknown, constraint: string): boolean {
  const e = err as { code?: string; constraint?: string } | null | undefined;
  return e?.code === '23505' && e.constraint === constraint;
}
