import { z } from 'zod';
import { BadRequestError } from './errors.js';

/** One line per problem, with the field path, so a client can fix every field at once. */
export function describeIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message }));
}

/** The same problems on one line (`path: message; …`), for a log line or a rejected record's reason. */
export function issuesText(error: z.ZodError): string {
  return describeIssues(error)
    .map((issue) => `${issue.path}: ${issue.message}`)
    .join('; ');
}

/** What a client is told about a string holding U+0000. */
export const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';

/**
 * Every string (value or key) in `input` that holds U+0000, by path. PostgreSQL's text types
 * reject that character outright, and a value MariaDB or Elasticsearch stores today can travel
 * on (through Kafka) to PostgreSQL's read model, where it would stop the sink; so no service
 * accepts it from a client in the first place.
 */
export function nulIssues(input: unknown): Array<{ path: string; message: string }> {
  const issues: Array<{ path: string; message: string }> = [];
  // A loop over parent-linked paths, not recursion over copied ones: a 1 MB body can nest
  // deeper than the call stack goes, and copying each path would be quadratic in the depth.
  type Path = { key: string; parent: Path } | null;
  const text = (path: Path): string => {
    const keys: string[] = [];
    for (let p = path; p; p = p.parent) keys.push(p.key);
    return keys.reverse().join('.') || '(root)';
  };
  const pending: Array<[value: unknown, path: Path]> = [[input, null]];
  for (let next = pending.pop(); next; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) issues.push({ path: text(path), message: NUL_MESSAGE });
    } else if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value);
      if (entries.some(([key]) => key.includes('\u0000'))) issues.push({ path: `${text(path)} (a key)`, message: NUL_MESSAGE });
      for (const [key, child] of entries.reverse()) pending.push([child, { key, parent: path }]);
    }
  }
  return issues;
}

/**
 * Parses `input` with `schema` or throws a 400 listing every problem, including every string
 * that holds U+0000 (see {@link nulIssues}), whatever the schema says about it.
 */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.infer<S> {
  const result = schema.safeParse(input);
  const issues = [...(result.success ? [] : describeIssues(result.error)), ...nulIssues(input)];
  if (result.success && issues.length === 0) return result.data;
  throw new BadRequestError(`invalid ${what}`, issues);
}

/** A UUID path parameter; anything else is a 400 rather than a pointless database lookup. */
export const uuidParam = z.uuid();

/** limit/offset query parameters shared by list endpoints. */
export const pagination = (maxLimit = 100, defaultLimit = 20) =>
  z.object({
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
    offset: z.coerce.number().int().min(0).default(0),
  });

/** One page of a list endpoint's answer: the items, the total count and the page asked for. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
