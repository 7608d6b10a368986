import { Command, CommanderError, Option } from 'commander';
import type { CommandSpec } from './command.js';
import { commands } from './commands/index.js';
import { loadConfig } from './config.js';
import type { CommandResult, Context } from './context.js';
import { UsageError } from './errors.js';
import { Output, pickMode } from './output.js';
import { describeIssues } from './validation.js';

/** Descriptions of command groups (`oms topics`, `oms connectors`). */
const GROUPS: Record<string, string> = {
  topics: 'the pipeline topics as desired state (create, list, describe) and what is inside them (tail)',
  connectors: 'the Debezium connectors as desired state: submit, status, restart',
};

export interface GlobalOptions {
  json?: boolean;
  debug?: boolean;
  quiet?: boolean;
  runtime?: string;
  stateDir?: string;
}

export interface Invocation {
  /** The command path that ran ("up", "topics create"). */
  command: string;
  result: CommandResult;
  out: Output;
}

export interface ProgramIo {
  cwd: string;
  repoRoot: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  signal: AbortSignal;
  version: string;
}

/**
 * Builds the commander program. Parsing problems surface as UsageError (exit 2); a
 * command's result is handed to `onResult` for rendering at the edge.
 */
export function buildProgram(io: ProgramIo, onResult: (inv: Invocation) => void, onOutput: (out: Output) => void): Command {
  const program = new Command('oms')
    .description('Bring up, check and prove the OMS event-driven e-commerce demo (Kafka, Debezium CDC, stream processing, CQRS).')
    .version(io.version, '-v, --version')
    .option('--json', 'print one JSON document on stdout (logs go to stderr)')
    .addOption(new Option('--runtime <runtime>', 'where the stack runs').choices(['auto', 'local', 'docker']))
    .option('--state-dir <dir>', 'local runtime data, logs and pid files (default .oms/local)')
    .option('--debug', 'print stack traces and debug lines')
    .option('-q, --quiet', 'only print results and errors')
    .showSuggestionAfterError(true)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // Usage errors are rendered by the edge as one line with the exit code 2.
      outputError: () => {},
    })
    .exitOverride();

  program.addHelpText(
    'after',
    `
Examples:
  $ oms up                      # build, start and wire everything, seed demo data
  $ oms status                  # one table: processes, services, connectors, lag
  $ oms smoke                   # place an order and follow it to GraphQL
  $ oms down --volumes          # stop everything and wipe data
  $ oms <command> --help        # details and examples for one command

Exit codes: 0 ok, 1 a check failed, 2 usage error, 3 a prerequisite is missing.
Config: flags > OMS_* environment > oms.config.json > defaults (see \`oms config\`).`,
  );

  const parents = new Map<string, Command>([['', program]]);
  for (const spec of commands) register(program, parents, spec, io, onResult, onOutput);
  return program;
}

function register(
  program: Command,
  parents: Map<string, Command>,
  spec: CommandSpec,
  io: ProgramIo,
  onResult: (inv: Invocation) => void,
  onOutput: (out: Output) => void,
): void {
  const words = spec.path.split(' ');
  let parent = program;
  for (let i = 0; i < words.length - 1; i++) {
    const key = words.slice(0, i + 1).join(' ');
    let group = parents.get(key);
    if (!group) {
      group = parent.command(words[i]!).description(GROUPS[key] ?? `${words[i]!} commands`).exitOverride();
      const examples = commands.filter((c) => c.path.startsWith(`${key} `)).flatMap((c) => c.examples.slice(0, 1));
      if (examples.length > 0) group.addHelpText('after', `\nExamples:\n${examples.map((e) => `  $ ${e}`).join('\n')}`);
      group.configureOutput({ outputError: () => {} });
      parents.set(key, group);
    }
    parent = group;
  }
  const cmd = parent.command(words.at(-1)!).description(spec.summary).exitOverride();
  cmd.configureOutput({ outputError: () => {} });
  spec.configure?.(cmd);
  if (spec.examples.length > 0) cmd.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}`);
  cmd.action(async (...actionArgs: unknown[]) => {
    const command = actionArgs.at(-1) as Command;
    const options = command.opts();
    const globals = program.opts<GlobalOptions>();
    const out = new Output(pickMode({ json: globals.json, isTTY: io.isTTY, env: io.env }), io.stdout, io.stderr, globals.quiet ?? false, globals.debug ?? false);
    onOutput(out);
    const args = command.processedArgs as unknown[];
    const raw = spec.input ? spec.input(args, options) : { ...options };
    const parsed = spec.schema.safeParse(raw);
    if (!parsed.success) {
      throw new UsageError(`invalid arguments for \`oms ${spec.path}\``, {
        details: describeIssues(parsed.error).map((i) => `${i.path}: ${i.message}`),
        hint: `see \`oms ${spec.path} --help\``,
      });
    }
    const flags: Record<string, unknown> = {};
    if (globals.runtime) flags.runtime = globals.runtime;
    if (globals.stateDir) flags.stateDir = globals.stateDir;
    const loaded = loadConfig({ repoRoot: io.repoRoot, cwd: io.cwd, env: io.env, flags });
    const ctx: Context = { loaded, out, cwd: io.cwd, repoRoot: io.repoRoot, env: io.env, signal: io.signal, debug: (m) => out.debug(m) };
    const result = await spec.run(parsed.data, ctx);
    onResult({ command: spec.path, result, out });
  });
}

export { CommanderError };
