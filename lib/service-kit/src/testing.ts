/**
 * Helpers for the services' tests (`@oms/service-kit/testing`): run a built service as a child
 * process, reach it over HTTP, and make one of its dependencies come up later than it does.
 * Nothing here is a stand-in for a real server: the forwarder relays to the real one.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type RequestListener, type Server } from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import axios from 'axios';
import { Kafka, logLevel, type Admin, type Message, type Producer } from 'kafkajs';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { ConfigError, DEFAULT_START_TIMEOUT_MS } from './config.js';

/**
 * The path of a built entry file, e.g. `builtEntry(new URL('../dist/server.js', import.meta.url))`;
 * throws saying how to build it when it is missing, so a test never runs stale or absent code silently.
 */
export function builtEntry(url: URL): string {
  const file = fileURLToPath(url);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npx tsc -b\` before the integration tests`);
  return file;
}

/** Credentials of a test database server. */
export interface TestServer {
  host: string;
  port: number;
  user: string;
  password: string;
}

/** The MYSQL_* variables pointing a service at `port` (a forwarder, say) with its own `database`. */
export function mysqlVariables(server: TestServer, port: number, database: string): Record<string, string> {
  return { MYSQL_HOST: '127.0.0.1', MYSQL_PORT: String(port), MYSQL_USER: server.user, MYSQL_PASSWORD: server.password, MYSQL_DATABASE: database };
}

/** The PG_* variables pointing a service at `port` (a forwarder, say) with its own `database`. */
export function pgVariables(server: TestServer, port: number, database: string): Record<string, string> {
  return { PG_HOST: '127.0.0.1', PG_PORT: String(port), PG_USER: server.user, PG_PASSWORD: server.password, PG_DATABASE: database };
}

/** Drops a MariaDB/MySQL database if it exists (a test's own, never the demo's). */
export async function dropMysqlDatabase(server: TestServer, database: string): Promise<void> {
  const admin = await mysql.createConnection({ ...server, connectTimeout: 5000 });
  try {
    await admin.query('DROP DATABASE IF EXISTS ??', [database]);
  } finally {
    await admin.end();
  }
}

/** Drops a PostgreSQL database if it exists, ending its sessions (a test's own, never the demo's). */
export async function dropPgDatabase(server: TestServer, database: string): Promise<void> {
  const admin = new pg.Client({ ...server, database: 'postgres' });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${admin.escapeIdentifier(database)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}

/** A port on 127.0.0.1 that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.once('error', reject);
  });
}

/** A TCP relay from a local port to a real server, started on demand. */
export interface TcpForwarder {
  /** The local port; nothing answers on it until {@link TcpForwarder.start}. */
  readonly port: number;
  /** Starts relaying: the dependency "comes up". */
  start(): Promise<void>;
  /** Stops listening and cuts every relayed connection: the dependency "goes down". */
  stop(): Promise<void>;
  /**
   * Stops relaying bytes, both ways, without closing anything: connections stay open and new
   * ones are accepted, but nothing comes back — a server that hangs (SIGSTOP, a full disk, a
   * lock) rather than one that died. Clients see it only through their own timeouts.
   */
  stall(): void;
  /** Relays again what a {@link TcpForwarder.stall} held back, and new connections as usual. */
  resume(): void;
}

/** One relayed connection; `flow` pipes it, `hold` stops it where it is. */
interface Relay {
  flow(): void;
  hold(): void;
}

/**
 * Reserves a free port whose connections, once started, are piped to `target`. Until then
 * connecting is refused, exactly as when the server is not running: point a service at the
 * port, then start the forwarder to make its dependency come up.
 */
export async function tcpForwarder(target: { host: string; port: number }): Promise<TcpForwarder> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  const relays = new Set<Relay>();
  let stalled = false;
  let server: net.Server | undefined;
  const accept = (downstream: net.Socket) => {
    // While stalled, even the upstream connection waits: a hung server does not greet.
    let upstream: net.Socket | undefined;
    let flowing = false;
    const track = (socket: net.Socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => {
        sockets.delete(socket);
        relays.delete(relay);
        downstream.destroy();
        upstream?.destroy();
      });
    };
    const relay: Relay = {
      flow: () => {
        if (flowing || downstream.destroyed) return;
        flowing = true;
        upstream ??= net.connect(target.port, target.host);
        if (!sockets.has(upstream)) track(upstream);
        downstream.pipe(upstream);
        upstream.pipe(downstream);
        downstream.resume();
        upstream.resume();
      },
      hold: () => {
        flowing = false;
        downstream.unpipe();
        downstream.pause();
        upstream?.unpipe();
        upstream?.pause();
      },
    };
    track(downstream);
    relays.add(relay);
    if (stalled) downstream.pause();
    else relay.flow();
  };
  return {
    port,
    start: async () => {
      if (server) return;
      const listening = net.createServer(accept);
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(port, '127.0.0.1', () => resolve());
      });
      server = listening;
    },
    stop: async () => {
      const listening = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      if (listening) await new Promise((resolve) => listening.close(resolve));
    },
    stall: () => {
      stalled = true;
      for (const relay of relays) relay.hold();
    },
    resume: () => {
      stalled = false;
      for (const relay of relays) relay.flow();
    },
  };
}

/**
 * Polls `probe` every `intervalMs` until `accept` takes its value, and returns that value; past
 * `timeoutMs` it fails naming `what` and the last value seen.
 */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  accept: (value: T) => boolean,
  { timeoutMs = 20_000, what = 'condition', intervalMs = 100 }: { timeoutMs?: number; what?: string; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) {
      const last = value === undefined ? 'undefined' : JSON.stringify(value).slice(0, 2000);
      throw new Error(`${what} not met within ${timeoutMs} ms; last value: ${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A service started from its built entry file. */
export interface ServiceProcess {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** Everything it printed so far (JSON log lines). */
  output(): string;
  /** Resolves with the exit code once it exited. */
  exited(): Promise<number | null>;
  /** SIGKILL if still running. */
  kill(): void;
}

/**
 * Starts `node <entry>` on a free port with `env` (plus PATH, PORT and HOST), capturing its
 * output. The caller kills it (`kill`, or a signal through `child`).
 */
export async function startServiceProcess(entry: string, env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const chunks: string[] = [];
  child.stdout.on('data', (d: Buffer) => chunks.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => chunks.push(d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    url: `http://127.0.0.1:${port}`,
    output: () => chunks.join(''),
    exited: () => exit,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** One answer of `GET /health`. */
export interface HealthAnswer {
  status: number;
  body: { status?: string; waitingFor?: string[]; checks?: Record<string, { ok: boolean; error?: string }> } & Record<string, unknown>;
}

/** `GET <url>/health`; `undefined` while nothing answers. */
export async function getHealth(url: string): Promise<HealthAnswer | undefined> {
  try {
    const res = await axios.get<HealthAnswer['body']>(`${url}/health`, { timeout: 5_000, validateStatus: () => true, proxy: false });
    return { status: res.status, body: res.data };
  } catch {
    return undefined;
  }
}

/**
 * Polls `/health` until `accept` holds, and returns that answer. Fails early when the process
 * exits, and on timeout with the last answer and the tail of the output.
 */
export async function waitForHealth(service: ServiceProcess, accept: (answer: HealthAnswer) => boolean, timeoutMs = 30_000): Promise<HealthAnswer> {
  const deadline = Date.now() + timeoutMs;
  let last: HealthAnswer | undefined;
  for (;;) {
    if (service.child.exitCode !== null) throw new Error(`the service exited with ${service.child.exitCode}:\n${service.output().slice(-4000)}`);
    last = await getHealth(service.url);
    if (last && accept(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`/health did not answer as expected within ${timeoutMs} ms; last: ${JSON.stringify(last)}\n${service.output().slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export interface LateDependencyOptions {
  /** The built entry file, e.g. `services/customers/dist/server.js`. */
  entry: string;
  /** The real server the dependency is; the service is pointed at a forwarder to it. */
  dependency: { host: string; port: number };
  /** The service's environment, given the forwarder's port (where the dependency "is"). */
  env: (port: number) => Record<string, string>;
  /** Called while the dependency is still down, after /health said so. */
  whileDown?: (service: ServiceProcess) => Promise<void>;
  /** How long the service may take to become ready once the dependency is up. */
  readyTimeoutMs?: number;
}

/** What {@link startWithLateDependency} saw. */
export interface LateDependencyRun {
  service: ServiceProcess;
  forwarder: TcpForwarder;
  /** The first `/health` after at least one failed attempt to reach the dependency. */
  whileDown: HealthAnswer;
  /** The first `/health` 200 after the dependency came up. */
  ready: HealthAnswer;
  /** Kills the service if it still runs and stops the forwarder. */
  stop(): Promise<void>;
}

/**
 * The start-up scenario every service is tested with: start it while a dependency is down
 * (nothing listens where it looks), wait until `/health` reports a failed attempt, then bring
 * the dependency up (a forwarder to the real server) and wait until the service is healthy by
 * itself. The caller asserts on what was seen, then stops the service and the forwarder.
 */
export async function startWithLateDependency(options: LateDependencyOptions): Promise<LateDependencyRun> {
  const forwarder = await tcpForwarder(options.dependency);
  const service = await startServiceProcess(options.entry, options.env(forwarder.port));
  const stop = async () => {
    service.kill();
    await forwarder.stop();
  };
  try {
    const attempted = (answer: HealthAnswer) =>
      answer.status === 503 && Object.values(answer.body.checks ?? {}).some((check) => ((check as { attempts?: number }).attempts ?? 0) > 0);
    const whileDown = await waitForHealth(service, attempted);
    await options.whileDown?.(service);
    await forwarder.start();
    const ready = await waitForHealth(service, (answer) => answer.status === 200, options.readyTimeoutMs ?? 60_000);
    return { service, forwarder, whileDown, ready, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * The variables a `loadConfig` names when it refuses `env`, in its order; throws when it
 * accepts `env` or fails with anything but a ConfigError, so a config test cannot pass vacuously.
 */
export function refusedVariables(load: (env: Record<string, string | undefined>) => unknown, env: Record<string, string | undefined>): string[] {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.split(/[: ]/)[0]!);
    throw err;
  }
  throw new Error(`the configuration was accepted: ${JSON.stringify(env)}`);
}

/** What every service's configuration holds by default besides its own variables. */
export const runDefaults = { HOST: '127.0.0.1', LOG_LEVEL: 'info', START_TIMEOUT_MS: DEFAULT_START_TIMEOUT_MS } as const;

/** Serves `app` (an express app or any request listener) on a free port of 127.0.0.1. */
export function listenLocal(app: RequestListener): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(app);
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

/** Waits until `groupId` has committed every record of `topic` (each partition's offset at its end). */
export async function groupCaughtUp(admin: Admin, groupId: string, topic: string): Promise<void> {
  await eventually(
    async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const ends = await admin.fetchTopicOffsets(topic);
      return ends.every((e) => e.high === '0' || committed?.partitions.find((p) => p.partition === e.partition)?.offset === e.high);
    },
    (done) => done,
    { what: `group ${groupId} committed every record of ${topic}` },
  );
}

/** A topic and a consumer group of a test's own on the real Kafka: see {@link topicTestBed}. */
export interface TopicTestBed {
  topic: string;
  admin: Admin;
  producer: Producer;
  /** Sends records to the topic, acknowledged by every in-sync replica. */
  send(...messages: Message[]): Promise<void>;
  /** Resolves once the group has committed every record of the topic. */
  caughtUp(): Promise<void>;
  /** Disconnects, then deletes the group and the topic. */
  close(): Promise<void>;
}

/**
 * Creates `topic` (3 partitions by default) with an admin and a producer, for a test of a
 * consumer in group `group`: names of the test's own, so it never touches the demo's topics.
 */
export async function topicTestBed(o: { brokers: string[]; topic: string; group: string; partitions?: number }): Promise<TopicTestBed> {
  const kafka = new Kafka({ clientId: `${o.topic}-bed`, brokers: o.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ waitForLeaders: true, topics: [{ topic: o.topic, numPartitions: o.partitions ?? 3 }] });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  return {
    topic: o.topic,
    admin,
    producer,
    send: async (...messages) => {
      await producer.send({ topic: o.topic, acks: -1, messages });
    },
    caughtUp: () => groupCaughtUp(admin, o.group, o.topic),
    close: async () => {
      await producer.disconnect();
      await admin.deleteGroups([o.group]).catch(() => undefined);
      await admin.deleteTopics({ topics: [o.topic] }).catch(() => undefined);
      await admin.disconnect();
    },
  };
}
