import type { z } from 'zod';

/** Zod issues as `path: message` pairs, for usage errors that list every problem. */
export function describeIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || 'arguments', message: issue.message }));
}
