import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { BadRequestError } from './errors.js';
import { NUL_MESSAGE, nulIssues, validate } from './validation.js';

describe('nulIssues', () => {
  it('when strings hold U+0000 at any depth, in values or keys, then each is named by its path', () => {
    expect(nulIssues({ a: 'ok', b: ['x', 'y\u0000'], c: { d: { e: '\u0000' } }, 'k\u0000': 1 })).toEqual([
      { path: '(root) (a key)', message: NUL_MESSAGE },
      { path: 'b.1', message: NUL_MESSAGE },
      { path: 'c.d.e', message: NUL_MESSAGE },
    ]);
  });

  it('when there is no U+0000 anywhere, then there are no issues', () => {
    expect(nulIssues({ a: 'Ada 😀', b: [1, null, true], c: '\u0001' })).toEqual([]);
    expect(nulIssues('\u0000')).toEqual([{ path: '(root)', message: NUL_MESSAGE }]);
  });

  it('when the input nests deeper than the call stack, then it is still walked, quickly', () => {
    let deep: unknown = 'bottom\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    const started = Date.now();
    const issues = nulIssues(deep);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path.split('.')).toHaveLength(200_000);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('validate', () => {
  const schema = z.object({ name: z.string(), age: z.number() });

  it('when the schema accepts a string holding U+0000, then it is still a 400 naming it', () => {
    expect(() => validate(schema, { name: 'A\u0000', age: 1 }, 'customer')).toThrow(
      expect.objectContaining({ status: 400, message: 'invalid customer', details: [{ path: 'name', message: NUL_MESSAGE }] }),
    );
  });

  it('when the schema also fails, then one 400 lists its problems and the NUL ones together', () => {
    let caught: unknown;
    try {
      validate(schema, { name: '\u0000', age: 'x' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(BadRequestError);
    expect((caught as BadRequestError).details).toEqual([
      { path: 'age', message: expect.stringMatching(/expected number/) },
      { path: 'name', message: NUL_MESSAGE },
    ]);
  });

  it('when the input is clean, then the parsed value is returned', () => {
    expect(validate(schema, { name: 'Ada', age: 36 })).toEqual({ name: 'Ada', age: 36 });
  });
});
