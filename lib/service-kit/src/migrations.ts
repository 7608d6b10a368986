import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { Umzug, type UmzugStorage } from 'umzug';
import type { DependencyStep } from './dependencies.js';

/**
 * One versioned schema change. Applied once, in name order, and recorded with a checksum of
 * its statements in the table `schema_migrations`; changing an applied migration is refused,
 * so a schema change is always a new migration. Write statements so that re-running them
 * after a crash half-way is harmless (`IF NOT EXISTS`, `ADD COLUMN IF NOT EXISTS`): MySQL
 * cannot roll DDL back.
 */
export interface Migration {
  /** Unique; the order is the sort order of the names: "0001-initial-schema", "0002-…". */
  name: string;
  statements: readonly string[];
}

/** A row of `schema_migrations`. */
export interface AppliedMigration {
  name: string;
  checksum: string;
}

/** The table every database records its migrations in. */
export const MIGRATIONS_TABLE = 'schema_migrations';

/** What umzug hands the storage: the checksum of each migration by name. */
export interface MigrationContext {
  checksums: ReadonlyMap<string, string>;
}

/**
 * Where migrations are recorded and run: one implementation for mysql2, one for pg. It is
 * umzug's storage, plus the checksums, the statements and the lock umzug does not provide.
 */
export interface MigrationStorage extends UmzugStorage<MigrationContext> {
  /** Creates `schema_migrations` when missing. */
  ensureTable(): Promise<void>;
  applied(): Promise<AppliedMigration[]>;
  run(migration: Migration): Promise<void>;
  /** Runs `work` holding a database-wide lock, so two instances starting together migrate one after the other. */
  withLock<T>(work: () => Promise<T>): Promise<T>;
}

/** An applied migration differs from its definition, or the list itself is malformed: no wait fixes it. */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** sha256 of the statements, each trimmed: whitespace around a statement does not count. */
export function migrationChecksum(migration: Migration): string {
  return createHash('sha256')
    .update(migration.statements.map((s) => s.trim()).join('\n;\n'))
    .digest('hex');
}

/**
 * Applies the migrations not yet recorded, in order, under the storage's lock, with umzug.
 * Refuses with a {@link MigrationError} when an applied migration was changed since. Safe to
 * run at every start: with nothing pending it only reads the table. Returns the names applied.
 */
export async function applyMigrations(storage: MigrationStorage, migrations: readonly Migration[], logger: Logger): Promise<string[]> {
  checkOrder(migrations);
  const checksums = new Map(migrations.map((m) => [m.name, migrationChecksum(m)]));
  return storage.withLock(async () => {
    await storage.ensureTable();
    const applied = await storage.applied();
    const changed = applied.filter((a) => checksums.has(a.name) && checksums.get(a.name) !== a.checksum).map((a) => a.name);
    if (changed.length > 0) {
      throw new MigrationError(
        `migration${changed.length > 1 ? 's' : ''} ${changed.join(', ')} changed after being applied to this database; ` +
          'put the change in a new migration instead (or recreate the database)',
      );
    }
    const unknown = applied.filter((a) => !checksums.has(a.name)).map((a) => a.name);
    if (unknown.length > 0) logger.warn({ unknown }, 'the database has migrations this version does not know (a newer version ran here?)');

    const umzug = new Umzug<MigrationContext>({
      migrations: migrations.map((m) => ({ name: m.name, up: () => storage.run(m) })),
      context: { checksums },
      storage,
      logger: undefined,
    });
    umzug.on('migrating', ({ name }) => logger.info({ migration: name }, 'applying migration'));
    const done = await umzug.up();
    return done.map((m) => m.name);
  });
}

function checkOrder(migrations: readonly Migration[]): void {
  const names = migrations.map((m) => m.name);
  if (new Set(names).size !== names.length) throw new MigrationError(`duplicate migration names in ${names.join(', ')}`);
  const sorted = [...names].sort();
  if (sorted.some((name, i) => name !== names[i])) throw new MigrationError(`migrations must be listed in name order: ${names.join(', ')}`);
}

export interface DatabaseDependencyOptions {
  dependency: string;
  target: string;
  database: string;
  /** Creates the database when it is missing. */
  ensureDatabase: () => Promise<unknown>;
  /** Applies the pending migrations, returning their names. */
  migrate: () => Promise<string[]>;
  logger: Logger;
}

/**
 * The start-up step of a service that owns a database: create it if missing, then migrate. A
 * changed migration is fatal; everything else (a booting server, users not created yet) is
 * waited out by the start-up policy.
 */
export function databaseDependency({ dependency, target, database, ensureDatabase, migrate, logger }: DatabaseDependencyOptions): DependencyStep {
  return {
    dependency,
    target,
    prepare: async () => {
      await ensureDatabase();
      const applied = await migrate();
      logger.info({ database, applied }, 'schema ready');
    },
    isFatal: (err) => err instanceof MigrationError,
  };
}
