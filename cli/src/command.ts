import type { Command } from 'commander';
import { z } from 'zod';
import type { CommandResult, Context } from './context.js';

/**
 * A command, declared as data and registered in one place (program.ts). `path` is the
 * words after `oms` ("up", "topics create"); `configure` adds arguments and flags; the
 * raw options are validated by `schema` before `run` sees them.
 */
export interface CommandSpec<S extends z.ZodType = z.ZodType> {
  path: string;
  summary: string;
  /** Shown under --help: usage examples, each "command  # what it does". */
  examples: string[];
  configure?: (cmd: Command) => void;
  schema: S;
  /** Turns commander's (args, options) into the object `schema` parses. */
  input?: (args: unknown[], options: Record<string, unknown>) => unknown;
  run: (options: z.infer<S>, ctx: Context) => Promise<CommandResult>;
}

/** Typed helper so each command file declares its spec with inference. */
export function defineCommand<S extends z.ZodType>(spec: CommandSpec<S>): CommandSpec<S> {
  return spec;
}

/**
 * `configure`, `input` and `schema` of a command whose one argument is an optional list
 * (`oms connectors status [names...]`): an empty list means "all".
 */
export function listArgument(syntax: `[${string}...]`, description: string) {
  return {
    configure: (cmd: Command) => void cmd.argument(syntax, description),
    input: (args: unknown[]) => ({ names: args[0] ?? [] }),
    schema: z.object({ names: z.array(z.string().min(1)) }),
  };
}
