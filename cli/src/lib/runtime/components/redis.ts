import { mkdir } from 'node:fs/promises';
import type { LocalProcess } from '../component.js';
import type { RuntimeContext } from '../context.js';
import { redisArgs } from '../templates.js';

/**
 * Our own redis-server (Debian's package, installed when missing like the databases): no
 * redis.conf, its append-only file under the state dir, loopback only. Redis runs as root
 * without complaint, so it needs no sandbox user. Readiness is the catalogue's probe: PING
 * answered and AOF on (a Redis replaying its AOF answers LOADING until it is done).
 */
export function redisProcess(ctx: RuntimeContext): LocalProcess {
  const { settings, paths } = ctx;
  const p = paths.redis;
  const binaries = async () => (await ctx.osBinaries({ redis: true })).redis!;

  return {
    ports: [settings.ports.redis],
    // SIGTERM: Redis flushes and fsyncs its AOF, then exits (no RDB snapshot: `save` is off).
    stop: { signal: 'SIGTERM', group: false, timeoutMs: 30_000 },
    sandboxed: false,
    check: () => binaries(),
    async prepare() {
      await binaries();
      await mkdir(p.dataDir, { recursive: true });
    },
    async launch() {
      const { server } = await binaries();
      await mkdir(p.dataDir, { recursive: true });
      return {
        command: server,
        args: redisArgs({ host: settings.host, port: settings.ports.redis, dataDir: p.dataDir }),
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TZ: 'UTC' },
        cwd: p.dataDir,
      };
    },
    async dataDirs() {
      return [p.dir];
    },
  };
}
