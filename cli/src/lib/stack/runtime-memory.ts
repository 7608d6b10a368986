/**
 * The runtime a state dir's stack was last brought up with, kept in `<state dir>/runtime.json`
 * (`{"runtime": "local", "at": "<ISO time>"}`). A plain `oms up` (and status, down, logs) keeps
 * driving that stack until a runtime is asked for by name: a Docker daemon that happens to
 * answer must not swap the user's stack for another one with other data. `oms down` (also
 * with `--volumes`) leaves the file alone; only `up` and `reset` write it.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { RuntimeKind } from './types.js';

/** The file under the state dir. */
export const RUNTIME_FILE = 'runtime.json';

const rememberedSchema = z.object({ runtime: z.enum(['local', 'docker']), at: z.string().min(1) });

/** What the state dir remembers: the runtime and when it was brought up with it. */
export type RememberedRuntime = z.infer<typeof rememberedSchema>;

export function runtimeFile(stateDir: string): string {
  return path.join(stateDir, RUNTIME_FILE);
}

/** The remembered runtime; undefined when none was recorded (or the file is not ours to trust: unreadable or malformed). */
export async function readRememberedRuntime(stateDir: string): Promise<RememberedRuntime | undefined> {
  let text: string;
  try {
    text = await readFile(runtimeFile(stateDir), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = rememberedSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Records `runtime` as the one this state dir's stack runs on (written whole, then renamed, so a reader never sees half a file). */
export async function rememberRuntime(stateDir: string, runtime: RuntimeKind, now: Date = new Date()): Promise<RememberedRuntime> {
  const doc: RememberedRuntime = { runtime, at: now.toISOString() };
  const file = runtimeFile(stateDir);
  await mkdir(stateDir, { recursive: true });
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(doc, null, 2)}\n`);
  await rename(partial, file);
  return doc;
}

/**
 * What changes when a runtime other than the remembered one is asked for: another stack,
 * with its own data, and how to reach the previous one again. Undefined when nothing changes.
 */
export function describeRuntimeSwitch(
  from: RememberedRuntime | undefined,
  to: RuntimeKind,
  where: { stateDir: string; project: string; askedBy: string },
): string | undefined {
  if (!from || from.runtime === to) return undefined;
  const dataOf = (kind: RuntimeKind) => (kind === 'local' ? `under ${where.stateDir}` : `in the volumes of compose project ${where.project}`);
  return [
    `switching runtime: ${from.runtime} → ${to} (${where.askedBy}; this state dir's stack was last brought up with ${from.runtime} at ${from.at}).`,
    `The ${to} stack is a different stack with separate data (${dataOf(to)}); the ${from.runtime} stack's data stays ${dataOf(from.runtime)}.`,
    `\`oms down --runtime ${from.runtime}\` stops the ${from.runtime} stack if it still runs; \`oms up --runtime ${from.runtime}\` goes back to it.`,
  ].join(' ');
}
