import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';

/** A TCP listening socket as `ss -ltnp` shows it. */
export interface Listener {
  address: string;
  port: number;
  processes: Array<{ name: string; pid: number }>;
}

/**
 * Parses `ss -ltnpH` (or `ss -ltnp` with its header). The local address is the 4th column:
 * `127.0.0.1:3306`, `[::ffff:127.0.0.1]:9200`, `*:8080`, `[::]:22`, `127.0.0.53%lo:53`.
 */
export function parseSsListeners(output: string): Listener[] {
  const listeners: Listener[] = [];
  for (const line of output.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5 || cols[0] !== 'LISTEN') continue;
    const local = cols[3] ?? '';
    const sep = local.lastIndexOf(':');
    if (sep < 0) continue;
    const port = Number(local.slice(sep + 1));
    if (!Number.isInteger(port)) continue;
    const address = local.slice(0, sep).replace(/^\[|\]$/g, '').replace(/%.*$/, '');
    const processes: Listener['processes'] = [];
    for (const m of line.matchAll(/\("([^"]*)",pid=(\d+)/g)) processes.push({ name: m[1] ?? '?', pid: Number(m[2]) });
    listeners.push({ address, port, processes });
  }
  return listeners;
}

/** Human description of who holds a port: `java (pid 6343)` or `an unknown process`. */
export function describeHolder(listener: Listener | undefined): string {
  const procs = listener?.processes ?? [];
  if (procs.length === 0) return 'another process (run `ss -ltnp` as root to see which)';
  const unique = [...new Map(procs.map((p) => [p.pid, p])).values()];
  return unique.map((p) => `${p.name} (pid ${p.pid})`).join(', ');
}

/** Whether a listener on `address` keeps us from binding `host` (wildcards and the same loopback do). */
export function blocksHost(address: string, host: string): boolean {
  return ['*', '0.0.0.0', '::', host, `::ffff:${host}`].includes(address);
}

/** Current TCP listeners, or [] when `ss` is missing. */
export async function listListeners(): Promise<Listener[]> {
  try {
    const { stdout } = await promisify(execFile)('ss', ['-ltnpH'], { timeout: 5000 });
    return parseSsListeners(stdout);
  } catch {
    return [];
  }
}

/** True when nothing can bind host:port right now (a bind probe: the ground truth). */
export function isPortTaken(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(true));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(false)));
  });
}

/** Taken ports among `ports`, each with the listener `ss` saw for it (if any). */
export async function takenPorts(ports: number[], host = '127.0.0.1'): Promise<Array<{ port: number; listener?: Listener }>> {
  const listeners = await listListeners();
  const taken: Array<{ port: number; listener?: Listener }> = [];
  for (const port of ports) {
    const listener = listeners.find((l) => l.port === port && blocksHost(l.address, host));
    if (listener || (await isPortTaken(port, host))) taken.push({ port, ...(listener ? { listener } : {}) });
  }
  return taken;
}
