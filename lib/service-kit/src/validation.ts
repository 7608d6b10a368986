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

/** Parses `input` with `schema` or throws a 400 listing every problem. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new BadRequestError(`invalid ${what}`, describeIssues(result.error));
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
