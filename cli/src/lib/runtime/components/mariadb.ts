import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type LocalProcess, STOP_GROUP } from '../component.js';
import type { RuntimeContext } from '../context.js';
import { runLogged } from '../exec.js';
import { isRoot } from '../os-packages.js';
import type { Probe } from '../../stack/probes.js';
import { mariadbArgs, mariadbUsersSql } from '../templates.js';

const INITIALIZED = '.oms-initialized';

/**
 * Our own mariadbd: data dir and socket in the state dir, no my.cnf, binlog on for Debezium.
 * The admin account is the OS user over the unix socket (unix_socket auth, as
 * mariadb-install-db sets it up), so no root password exists anywhere.
 */
export function mariadbProcess(ctx: RuntimeContext): LocalProcess {
  const { settings, paths } = ctx;
  const p = paths.mariadb;
  const logFile = paths.logFile('mariadb');
  const adminUser = isRoot() ? 'root' : os.userInfo().username;
  const binaries = async () => (await ctx.osBinaries({ mariadb: true })).mariadb!;

  const clientArgs = ['--no-defaults', `--socket=${p.socket}`, '-u', adminUser, '--batch', '--skip-column-names'];
  const client = async (sql: string) => {
    const { client: bin } = await binaries();
    return runLogged(bin, clientArgs, { logFile, component: 'mariadb', input: sql, timeoutMs: 30_000 });
  };

  return {
    ports: [settings.ports.mariadb],
    stop: STOP_GROUP,
    sandboxed: false,
    check: () => binaries(),
    async prepare() {
      const { installDb } = await binaries();
      if (existsSync(path.join(p.dataDir, INITIALIZED))) return;
      ctx.progress('mariadb', 'initializing the data dir (mariadb-install-db)');
      await rm(p.dataDir, { recursive: true, force: true });
      await mkdir(p.dataDir, { recursive: true });
      await mkdir(path.dirname(p.socket), { recursive: true });
      await runLogged(
        installDb,
        [
          '--no-defaults',
          `--datadir=${p.dataDir}`,
          '--auth-root-authentication-method=socket',
          '--skip-test-db',
          '--skip-name-resolve',
          ...(isRoot() ? ['--user=root'] : []),
        ],
        { logFile, component: 'mariadb', cwd: p.dir, timeoutMs: 180_000 },
      );
      await writeFile(path.join(p.dataDir, INITIALIZED), `${new Date().toISOString()}\n`);
    },
    async launch() {
      const { mariadbd } = await binaries();
      await mkdir(path.dirname(p.socket), { recursive: true });
      return {
        command: mariadbd,
        args: mariadbArgs({
          host: settings.host,
          port: settings.ports.mariadb,
          dataDir: p.dataDir,
          socket: p.socket,
          ...(isRoot() ? { user: 'root' } : {}),
        }),
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TZ: 'UTC' },
        cwd: p.dataDir,
      };
    },
    async bootstrapProbe(): Promise<Probe> {
      const { client: bin } = await binaries();
      return new Promise((resolve) => {
        execFile(bin, [...clientArgs, '-e', 'SELECT 1'], { timeout: 5000 }, (err, _out, stderr) =>
          resolve(err ? { ready: false, detail: stderr.trim() || err.message } : { ready: true, detail: 'admin socket answered' }),
        );
      });
    },
    async afterStart() {
      await client(mariadbUsersSql(settings.mysql));
    },
    async dataDirs() {
      return [p.dir];
    },
  };
}
