import type { Logger } from '@oms/service-kit';
import { migratePg, type Migration } from '@oms/service-kit/pg';
import type pg from 'pg';

/** Where to reach PostgreSQL (`database` is the shipping service's own, created when missing), and how. */
export { ensurePgDatabase as ensureDatabase, type PgConnection } from '@oms/service-kit/pg';

/**
 * The event store: one row per event, never updated or deleted (a trigger refuses it).
 * `(stream_id, version)` is unique, which is the whole of optimistic concurrency: two appends
 * decided on the same version both insert version n+1 and the second one fails.
 * `global_position` orders appends across streams; it may have gaps (a rolled-back insert burns
 * its number) and is not commit order, so readers that need a stream's order use `version`.
 * `occurred_at` keeps milliseconds, the precision of a JavaScript Date, so the time read back
 * and copied into the projection is the stored time exactly.
 */
export const EVENTS_DDL = `CREATE TABLE IF NOT EXISTS events (
  global_position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id        UUID        NOT NULL UNIQUE,
  stream_id       TEXT        NOT NULL,
  version         INTEGER     NOT NULL CHECK (version > 0),
  type            TEXT        NOT NULL,
  data            JSONB       NOT NULL,
  occurred_at     TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
  CONSTRAINT events_stream_version_key UNIQUE (stream_id, version)
)`;

/** History is immutable: corrections are new events, never edits. */
export const EVENTS_APPEND_ONLY_DDL = [
  `CREATE OR REPLACE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'events is append-only: % is not allowed', TG_OP USING ERRCODE = 'restrict_violation';
END $$`,
  `CREATE OR REPLACE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
  FOR EACH ROW EXECUTE FUNCTION events_append_only()`,
  `CREATE OR REPLACE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
  FOR EACH STATEMENT EXECUTE FUNCTION events_append_only()`,
];

/**
 * The transactional outbox, read by Debezium's PostgreSQL connector through the outbox event
 * router. Column names and types are the router's defaults: `id` (the event id, emitted as
 * header `id`), `aggregatetype` (routing), `aggregateid` (the Kafka key: the order id), `type`,
 * `payload`. Rows are only ever inserted (the router warns on updates and skips deletes); they
 * are kept, so a connector created after the service started still snapshots them.
 */
export const OUTBOX_DDL = `CREATE TABLE IF NOT EXISTS outbox (
  id            UUID         PRIMARY KEY REFERENCES events (event_id),
  aggregatetype VARCHAR(255) NOT NULL,
  aggregateid   VARCHAR(255) NOT NULL,
  type          VARCHAR(255) NOT NULL,
  payload       JSONB        NOT NULL,
  created_at    TIMESTAMPTZ  NOT NULL DEFAULT now()
)`;

/**
 * The shipments projection behind `GET /shipments?status=`: one row per order, the fold of its
 * events. Written in the append's transaction; `replayShipmentProjection` rebuilds it.
 */
export const SHIPMENTS_DDL = `CREATE TABLE IF NOT EXISTS shipments (
  order_id        TEXT        PRIMARY KEY,
  status          TEXT        NOT NULL,
  carrier         TEXT,
  tracking_number TEXT,
  version         INTEGER     NOT NULL,
  updated_at      TIMESTAMPTZ(3) NOT NULL
)`;

/** The newest-first order of the list, with and without the status filter. */
export const SHIPMENTS_INDEX_DDL = [
  'CREATE INDEX IF NOT EXISTS shipments_status_updated_idx ON shipments (status, updated_at DESC, order_id)',
  'CREATE INDEX IF NOT EXISTS shipments_updated_idx ON shipments (updated_at DESC, order_id)',
];

/**
 * The schema, versioned (see `applyMigrations` in service-kit): applied in order in one
 * transaction each, recorded in `schema_migrations`, never edited once released. 0001 is the
 * schema as the service created it before migrations were versioned (`IF NOT EXISTS` / `OR
 * REPLACE` throughout), so on a database built back then it changes nothing and is recorded.
 */
export const SHIPPING_MIGRATIONS: readonly Migration[] = [
  { name: '0001-initial-schema', statements: [EVENTS_DDL, ...EVENTS_APPEND_ONLY_DDL, OUTBOX_DDL, SHIPMENTS_DDL, ...SHIPMENTS_INDEX_DDL] },
];

/** Applies the pending migrations; safe to run at every start and from two instances at once. */
export async function migrate(pool: pg.Pool, logger?: Logger): Promise<string[]> {
  return migratePg(pool, SHIPPING_MIGRATIONS, logger);
}
