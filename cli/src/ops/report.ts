/**
 * `oms report`'s operation: one .tar.gz for CI artifacts with status, connectors (passwords
 * redacted), topics, lag, config, doctor checks, the last `up`'s step timings and every
 * component's log. A part that cannot be collected is recorded with the reason; the report
 * is wanted most when things are broken.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { OpsContext } from '../context.js';
import { ExternalError, OmsError } from '../errors.js';
import { redact } from '../lib/connectors.js';
import { tarGz, type ArchiveEntry } from '../lib/doctor/archive.js';
import { endpointsFor } from '../lib/endpoints.js';
import { withAdmin } from '../lib/kafka.js';
import { groupLag, type GroupLag } from '../lib/lag.js';
import { fileSize, lastLines, readFrom } from '../lib/runtime/log-file.js';
import type { Stack } from '../lib/stack/types.js';
import { effectiveConfig } from './config.js';
import { connectClient } from './connectors.js';
import { CONSOLE_ID, consoleLogFile } from './console.js';
import { KEEPER_ID, keeperStatus } from './keeper.js';
import { doctor } from './doctor.js';
import { collectStatus, type StatusReport } from './status.js';
import { stackFor } from './stack.js';
import { readTopics } from './topics.js';
import { LAST_UP_FILE } from './up.js';

/** Lines of each component's log kept in the report. */
const LOG_LINES = 5000;
/** Bytes read from the end of a log to find them (JSON service logs run ~300 bytes a line). */
const LOG_BYTES = 8 * 1024 * 1024;
/** No part may hold up the report for longer than this. */
const PART_TIMEOUT_MS = 45_000;

/** What one archived file holds, or why it could not be collected. */
export interface ReportFile {
  name: string;
  bytes: number;
  /** Set when the part could not be collected; the file then holds `{error, hint}`. */
  error: string | null;
}

export interface ReportResult {
  path: string;
  bytes: number;
  files: ReportFile[];
}

function describeError(err: unknown): { error: string; hint: string | null } {
  const message = err instanceof Error ? err.message : String(err);
  const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  return { error: `${message}${cause}`, hint: err instanceof OmsError ? (err.hint ?? null) : null };
}

function withTimeout<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${PART_TIMEOUT_MS / 1000} s`)), PART_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** A JSON part: the value, or `{error, hint}` when collecting it failed (the report is wanted most when things are broken). */
async function jsonPart(name: string, collect: () => Promise<unknown>): Promise<{ entry: ArchiveEntry; file: ReportFile }> {
  let body: unknown;
  let error: string | null = null;
  try {
    body = await withTimeout(name, collect());
  } catch (err) {
    const described = describeError(err);
    body = described;
    error = described.error;
  }
  const data = `${JSON.stringify(body, null, 2)}\n`;
  return { entry: { name, data }, file: { name, bytes: Buffer.byteLength(data), error } };
}

/** Every connector Connect knows (not only ours), with states and configs, passwords redacted. */
async function connectorsSnapshot(ctx: OpsContext): Promise<unknown> {
  const client = connectClient(ctx, 10_000);
  const body = await client.expanded();
  return {
    url: client.baseUrl,
    connectors: Object.entries(body)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, c]) => ({
        name,
        type: c.info?.type ?? c.status?.type ?? null,
        state: c.status?.connector.state ?? 'UNKNOWN',
        ...(c.status?.connector.trace ? { trace: c.status.connector.trace } : {}),
        tasks: c.status?.tasks ?? [],
        config: Object.fromEntries(Object.entries(c.info?.config ?? {}).map(([k, v]) => [k, redact(k, v)])),
      })),
  };
}

/** Every topic with partitions, config and earliest/end offsets. */
async function topicsSnapshot(brokers: string[]): Promise<unknown> {
  const names = await withAdmin(brokers, async (admin) => (await admin.listTopics()).sort());
  return { brokers, topics: await readTopics(brokers, names) };
}

/** Lag of every consumer group that committed offsets (orders-stream, the sink connector, …). */
async function lagSnapshot(brokers: string[]): Promise<unknown> {
  return withAdmin(brokers, async (admin) => {
    const { groups } = await admin.listGroups();
    const out: Array<{ group: string; total: number; partitions: GroupLag[] }> = [];
    for (const g of groups.sort((a, b) => a.groupId.localeCompare(b.groupId))) {
      if (g.protocolType && g.protocolType !== 'consumer') continue; // Connect's worker group has no offsets
      const topics = (await admin.fetchOffsets({ groupId: g.groupId })).map((t) => t.topic);
      if (topics.length === 0) continue;
      const partitions = await groupLag(admin, g.groupId, topics);
      out.push({ group: g.groupId, total: partitions.reduce((n, p) => n + p.lag, 0), partitions });
    }
    return { brokers, groups: out };
  });
}

/** The last LOG_LINES lines of a component's log: from its file (local runtime, the console) or from the runtime (containers). */
async function logPart(stack: Stack | undefined, component: string, logFile?: string): Promise<{ entry: ArchiveEntry; file: ReportFile }> {
  const name = `logs/${component}.log`;
  let lines: string[];
  try {
    if (!stack || stack.kind === 'local') {
      const file = logFile ?? stack!.logFile(component);
      const size = await fileSize(file);
      if (size === 0) {
        const data = `(no log at ${file}: ${component} has not run with this state dir)\n`;
        return { entry: { name, data }, file: { name, bytes: Buffer.byteLength(data), error: 'no log file' } };
      }
      lines = lastLines((await readFrom(file, Math.max(0, size - LOG_BYTES))).text, LOG_LINES);
    } else {
      lines = [];
      for await (const line of stack.logs(component, { lines: LOG_LINES })) lines.push(line);
    }
  } catch (err) {
    const data = `(could not read the log of ${component}: ${describeError(err).error})\n`;
    return { entry: { name, data }, file: { name, bytes: Buffer.byteLength(data), error: describeError(err).error } };
  }
  const data = `${lines.join('\n')}\n`;
  return { entry: { name, data }, file: { name, bytes: Buffer.byteLength(data), error: null } };
}

/** Collects every part; never throws for a part that fails. */
export async function collectReport(ctx: OpsContext): Promise<Array<{ entry: ArchiveEntry; file: ReportFile }>> {
  const endpoints = endpointsFor(ctx.loaded.config);
  let status: StatusReport | undefined;
  const parts = [
    await jsonPart('status.json', async () => {
      status = await collectStatus(ctx);
      return status;
    }),
  ];
  // Skip the Kafka/Connect calls (and their connection retries) when status already saw them down.
  const down = (id: string) => {
    const c = status?.components.find((s) => s.id === id);
    return c && c.state !== 'ready' && c.state !== 'external' ? c : undefined;
  };
  const notUp = (id: string, title: string) => {
    const c = down(id);
    return c ? Promise.reject(new ExternalError(`${title} is not up (state: ${c.state}${c.detail ? `, ${c.detail}` : ''})`, { hint: 'start it with `oms up`; its log is in this report' })) : undefined;
  };
  parts.push(
    ...(await Promise.all([
      jsonPart('connectors.json', () => notUp('connect', 'Kafka Connect') ?? connectorsSnapshot(ctx)),
      jsonPart('topics.json', () => notUp('kafka', 'Kafka') ?? topicsSnapshot(endpoints.kafkaBrokers)),
      jsonPart('lag.json', () => notUp('kafka', 'Kafka') ?? lagSnapshot(endpoints.kafkaBrokers)),
      jsonPart('config.json', async () => effectiveConfig(ctx)),
      jsonPart('doctor.json', async () => ({ checks: await doctor(ctx) })),
    ])),
  );
  const stepsFile = path.join(ctx.loaded.config.stateDir, LAST_UP_FILE);
  if ((await fileSize(stepsFile)) > 0) parts.push(await jsonPart('steps.json', async () => JSON.parse(readFileSync(stepsFile, 'utf8')) as unknown));
  try {
    const stack = await stackFor(ctx);
    parts.push(...(await Promise.all(stack.componentIds().map((id) => withTimeout(`logs of ${id}`, logPart(stack, id))))));
  } catch (err) {
    parts.push(await jsonPart('logs/error.json', () => Promise.reject(err)));
  }
  // The console runs on the host for both runtimes: its log is a file.
  parts.push(await logPart(undefined, CONSOLE_ID, consoleLogFile(ctx)));
  // The keeper (local runtime) logs each exit it saw, each restart and each crash loop: the story of a flaky run.
  parts.push(await logPart(undefined, KEEPER_ID, (await keeperStatus(ctx)).logFile));
  parts.push(...(await artifactParts(artifactsDir(ctx.repoRoot))));
  return parts;
}

/** Where test runs leave files for the report (the browser tests' screenshots): `<repo>/.oms/artifacts`. */
export function artifactsDir(repoRoot: string): string {
  return path.join(repoRoot, '.oms', 'artifacts');
}

/** Bytes of artifacts a report takes at most (screenshots are a few hundred KiB each). */
const ARTIFACT_BYTES = 32 * 1024 * 1024;

/** Every file under `dir` as `artifacts/<path>`, up to ARTIFACT_BYTES; none when it does not exist. */
async function artifactParts(dir: string): Promise<Array<{ entry: ArchiveEntry; file: ReportFile }>> {
  const files = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const parts: Array<{ entry: ArchiveEntry; file: ReportFile }> = [];
  let total = 0;
  const where = (f: (typeof files)[number]) => path.join(f.parentPath, f.name);
  for (const full of files.filter((x) => x.isFile()).map(where).sort()) {
    const name = `artifacts/${path.relative(dir, full).split(path.sep).join('/')}`;
    const data = await readFile(full).catch(() => undefined);
    if (!data || total + data.length > ARTIFACT_BYTES) {
      const note = data ? `(left out: the report keeps ${ARTIFACT_BYTES} bytes of artifacts)\n` : '(unreadable)\n';
      parts.push({ entry: { name: `${name}.skipped`, data: note }, file: { name: `${name}.skipped`, bytes: Buffer.byteLength(note), error: data ? 'over the artifact size limit' : 'unreadable' } });
      continue;
    }
    total += data.length;
    parts.push({ entry: { name, data }, file: { name, bytes: data.length, error: null } });
  }
  return parts;
}

function stamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/** Writes the archive: `<dir>/report.json` (manifest), the parts, and `logs/`. */
export async function writeReport(ctx: OpsContext, out: string | undefined, now = new Date()): Promise<ReportResult> {
  const base = `oms-report-${stamp(now)}`;
  const target = path.resolve(ctx.cwd, out ?? `${base}.tar.gz`);
  const parts = await collectReport(ctx);
  let version: string | null = null;
  try {
    version = (JSON.parse(readFileSync(path.join(ctx.repoRoot, 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    // not fatal
  }
  const manifest = {
    createdAt: now.toISOString(),
    oms: version,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    host: os.hostname(),
    runtime: ctx.loaded.config.runtime,
    stateDir: ctx.loaded.config.stateDir,
    files: parts.map((p) => p.file),
  };
  const manifestData = `${JSON.stringify(manifest, null, 2)}\n`;
  const entries: ArchiveEntry[] = [{ name: `${base}/report.json`, data: manifestData }, ...parts.map((p) => ({ ...p.entry, name: `${base}/${p.entry.name}` }))];
  const archive = tarGz(entries, now.getTime());
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, archive);
  } catch (err) {
    throw new ExternalError(`cannot write the report to ${target}: ${(err as Error).message}`, { cause: err, hint: 'pick another place with --out <file>' });
  }
  return { path: target, bytes: archive.length, files: [{ name: 'report.json', bytes: Buffer.byteLength(manifestData), error: null }, ...parts.map((p) => p.file)] };
}

