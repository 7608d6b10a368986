/**
 * The CLI's error family. Anything thrown that is not an OmsError is a bug: the edge
 * (index.ts) prints a one-line "this is a bug" message, and the stack only under --debug.
 */
export abstract class OmsError extends Error {
  abstract readonly exitCode: number;
  /** What the user should do next; printed under the message. */
  readonly hint: string | undefined;
  /** Extra lines (log tails, diffs) printed after the message. */
  readonly details: string[];

  constructor(message: string, options: { hint?: string; details?: string[]; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.hint = options.hint;
    this.details = options.details ?? [];
  }
}

/** Bad flags, unknown commands, invalid config: exit 2. */
export class UsageError extends OmsError {
  readonly exitCode = 2;
}

/** What the user named does not exist (a topic, a connector, an order id): a bad argument, so exit 2; the console answers 404. */
export class NotFoundError extends UsageError {}

/** A check the command exists to make failed (a component not healthy, a smoke hop timed out): exit 1. */
export class CheckFailedError extends OmsError {
  readonly exitCode = 1;
}

/** Something the machine must have is missing (Java, a free port, a binary): exit 3, with the fix in `hint`. */
export class PrereqError extends OmsError {
  readonly exitCode = 3;
}

/** An outside program or server failed in a way we can explain; wraps the cause: exit 1. */
export class ExternalError extends OmsError {
  readonly exitCode = 1;
}

export function isOmsError(err: unknown): err is OmsError {
  return err instanceof OmsError;
}
