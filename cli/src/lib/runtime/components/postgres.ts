import { existsSync } from 'node:fs';
import { chown, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { LocalProcess } from '../component.js';
import type { RuntimeContext, Sandbox } from '../context.js';
import { runLogged } from '../exec.js';
import { POSTGRES_REPLICATION_FLAGS, postgresArgs } from '../templates.js';

const INITIALIZED = '.oms-initialized';

/** initdb with the app user as superuser (its password from a file only the runner reads), marked done when it succeeded. */
async function initDataDir(ctx: RuntimeContext, initdb: string, sandbox: Sandbox): Promise<void> {
  const { settings } = ctx;
  const p = sandbox.paths.postgres;
  const owned = sandbox.user ? { uid: sandbox.user.uid, gid: sandbox.user.gid } : undefined;
  await rm(p.dataDir, { recursive: true, force: true });
  const pwfile = path.join(p.dir, '.pwfile');
  await writeFile(pwfile, `${settings.postgres.password}\n`, { mode: 0o600 });
  if (owned) await chown(pwfile, owned.uid, owned.gid);
  try {
    await runLogged(initdb, ['-D', p.dataDir, '-U', settings.postgres.user, `--pwfile=${pwfile}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale'], {
      logFile: ctx.paths.logFile('postgres'),
      component: 'postgres',
      cwd: p.dir,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8' },
      ...(owned ?? {}),
      timeoutMs: 180_000,
    });
  } finally {
    await rm(pwfile, { force: true });
  }
  await writeFile(path.join(p.dataDir, INITIALIZED), `${new Date().toISOString()}\n`);
  if (owned) await chown(path.join(p.dataDir, INITIALIZED), owned.uid, owned.gid);
}

/**
 * Our own postgres (not pg_ctl: the supervisor tracks the postmaster itself). It refuses to
 * run as root, so when we are root it runs as the system user with its files in the sandbox
 * dir. The app user is the superuser `initdb -U` creates: password auth over TCP, trust on
 * the private socket.
 */
export function postgresProcess(ctx: RuntimeContext): LocalProcess {
  const { settings } = ctx;
  const binaries = async () => (await ctx.osBinaries({ postgres: true })).postgres!;
  const where = async () => (await ctx.sandbox()).paths.postgres;
  const conn = (database: string) => ({
    host: settings.host,
    port: settings.ports.postgres,
    user: settings.postgres.user,
    password: settings.postgres.password,
    database,
  });

  return {
    ports: [settings.ports.postgres],
    // SIGINT = fast shutdown (SIGTERM would wait for every client to disconnect); the
    // postmaster stops its own backends.
    stop: { signal: 'SIGINT', group: false, timeoutMs: 60_000 },
    sandboxed: true,
    check: () => binaries(),
    async prepare() {
      const sandbox = await ctx.sandbox();
      await sandbox.ensureDir(sandbox.paths.postgres.dir);
      await sandbox.ensureDir(sandbox.paths.postgres.socketDir);
      if (existsSync(path.join(sandbox.paths.postgres.dataDir, INITIALIZED))) return;
      ctx.progress('postgres', 'initializing the data dir (initdb)');
      await initDataDir(ctx, (await binaries()).initdb, sandbox);
    },
    async launch() {
      const { postgres } = await binaries();
      const p = await where();
      return {
        command: postgres,
        args: postgresArgs({ host: settings.host, port: settings.ports.postgres, dataDir: p.dataDir, socketDir: p.socketDir }),
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', TZ: 'UTC' },
        cwd: p.dir,
      };
    },
    async afterStart() {
      const client = new pg.Client(conn('postgres'));
      client.on('error', () => undefined);
      await client.connect();
      try {
        for (const db of settings.postgres.databases) {
          const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [db]);
          if (found.rowCount === 0) {
            ctx.progress('postgres', `creating database ${db}`);
            await client.query(`CREATE DATABASE "${db.replace(/"/g, '""')}"`).catch((err: unknown) => {
              if ((err as { code?: string }).code !== '42P04') throw err; // created meanwhile
            });
          }
        }
      } finally {
        await client.end();
      }
    },
    // A server started by an older oms runs without logical decoding; wal_level takes a restart.
    async outdated() {
      const client = new pg.Client({ ...conn('postgres'), connectionTimeoutMillis: 5_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        const wanted = POSTGRES_REPLICATION_FLAGS.find(([name]) => name === 'wal_level')![1];
        const { rows } = await client.query<{ wal_level: string }>('SHOW wal_level');
        const current = rows[0]?.wal_level;
        return current === wanted ? undefined : `wal_level is ${current ?? 'unknown'}, the shipping outbox connector needs ${wanted}`;
      } catch {
        // Not answering: the usual readiness wait deals with it.
        return undefined;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    async dataDirs() {
      return [(await where()).dir];
    },
  };
}
