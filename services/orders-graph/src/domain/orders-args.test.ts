import { describe, expect, it } from 'vitest';
import { MAX_ID_LENGTH, parseOrderId, parseOrdersArgs } from './orders-args.js';

const ok = (args: unknown) => {
  const parsed = parseOrdersArgs(args);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.filter;
};
const fail = (args: unknown) => {
  const parsed = parseOrdersArgs(args);
  if (parsed.ok) throw new Error('expected a failure');
  return parsed;
};

describe('parseOrdersArgs', () => {
  it('when nothing is given, then it is the first 20 orders unfiltered', () => {
    expect(ok({})).toEqual({ limit: 20, offset: 0 });
  });

  it('when GraphQL passes explicit nulls, then they mean "not given"', () => {
    expect(ok({ customer: null, fromDate: null, toDate: null, limit: null, offset: null })).toEqual({ limit: 20, offset: 0 });
  });

  it('when customer name and email are given, then they are trimmed and blank ones ignored', () => {
    expect(ok({ customer: { name: '  ada ', email: '' } })).toEqual({ name: 'ada', limit: 20, offset: 0 });
  });

  it('when fromDate is a date, then it starts at UTC midnight of that day', () => {
    expect(ok({ fromDate: '2024-03-01' }).createdFrom).toBe('2024-03-01T00:00:00.000Z');
  });

  it('when toDate is a date, then the whole day is included via an exclusive next-day bound', () => {
    expect(ok({ toDate: '2024-02-29' }).createdTo).toEqual({ at: '2024-03-01T00:00:00.000Z', inclusive: false });
  });

  it('when dates have times and offsets, then they are kept as given, toDate inclusive', () => {
    const filter = ok({ fromDate: '2024-03-01T10:00:00+02:00', toDate: '2024-03-01T12:00:00.5Z' });
    expect(filter.createdFrom).toBe('2024-03-01T10:00:00+02:00');
    expect(filter.createdTo).toEqual({ at: '2024-03-01T12:00:00.5Z', inclusive: true });
  });

  it.each([['yesterday'], ['2024-02-30'], ['2024-03-01T10:00:00'], ['2024-03-01 10:00:00Z']])(
    'when fromDate is %s, then it is rejected with the expected format',
    (fromDate) => {
      const { message, details } = fail({ fromDate });
      expect(message).toMatch(/fromDate: must be an ISO date/);
      expect(details[0]?.path).toBe('fromDate');
    },
  );

  it('when fromDate is after toDate, then it is rejected', () => {
    expect(fail({ fromDate: '2024-03-02', toDate: '2024-03-01' }).message).toMatch(/fromDate must not be after toDate/);
  });

  it('when fromDate and toDate are the same day, then it is accepted', () => {
    expect(ok({ fromDate: '2024-03-01', toDate: '2024-03-01' }).createdTo?.at).toBe('2024-03-02T00:00:00.000Z');
  });

  it.each([[0], [101], [-5]])('when limit is %s, then it is rejected with the allowed range', (limit) => {
    expect(fail({ limit }).message).toMatch(/limit: limit must be between 1 and 100/);
  });

  it('when offset is negative, then it is rejected', () => {
    expect(fail({ offset: -1 }).message).toMatch(/offset must not be negative/);
  });

  it('when several arguments are wrong, then every problem is reported', () => {
    expect(fail({ limit: 0, offset: -1, toDate: 'x' }).details.map((d) => d.path).sort()).toEqual(['limit', 'offset', 'toDate']);
  });

  it('when a customer filter holds U+0000, then it is refused, since PostgreSQL would reject it', () => {
    expect(fail({ customer: { name: 'A\u0000' } }).details).toEqual([{ path: 'customer.name', message: 'must not contain the NUL character (U+0000)' }]);
  });
});

describe('parseOrderId', () => {
  it('when the id is an ordinary string, then it passes unchanged', () => {
    expect(parseOrderId('9b2e4f6a-1c3d-4e5f-8a7b-6c5d4e3f2a1b')).toEqual({ ok: true, id: '9b2e4f6a-1c3d-4e5f-8a7b-6c5d4e3f2a1b' });
  });

  it('when the id holds U+0000, is empty or too long, then each is refused with a message naming id', () => {
    expect(parseOrderId('a\u0000b')).toMatchObject({ ok: false, message: 'invalid arguments: id: must not contain the NUL character (U+0000)' });
    expect(parseOrderId('')).toMatchObject({ ok: false, message: 'invalid arguments: id: id must not be empty' });
    expect(parseOrderId('x'.repeat(MAX_ID_LENGTH + 1))).toMatchObject({ ok: false, details: [{ path: 'id', message: `id must be at most ${MAX_ID_LENGTH} characters` }] });
  });
});
