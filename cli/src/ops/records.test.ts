import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { decode, decodeHeaders, mentions, planRead, renderDecoded } from './records.js';

const offsets = [
  { partition: 0, low: '0', high: '10' },
  { partition: 1, low: '4', high: '6' },
  { partition: 2, low: '3', high: '3' },
];

describe('decode', () => {
  it('when the bytes are a JSON object, then they are parsed and render indented', () => {
    const d = decode(Buffer.from('{"order_id":"a","n":2}'));
    expect(d).toEqual({ format: 'json', data: { order_id: 'a', n: 2 } });
    expect(renderDecoded(d)).toBe('{\n  "order_id": "a",\n  "n": 2\n}');
  });

  it('when the bytes are text that only looks like JSON, or a bare number, then they stay text', () => {
    expect(decode(Buffer.from('{not json'))).toEqual({ format: 'text', data: '{not json' });
    expect(decode(Buffer.from('42'))).toEqual({ format: 'text', data: '42' });
  });

  it('when the bytes are not UTF-8, then they are base64', () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x01]);
    expect(decode(bytes)).toEqual({ format: 'binary', data: bytes.toString('base64') });
  });

  it('when there are no bytes (a tombstone), then the value is null', () => {
    expect(decode(null)).toEqual({ format: 'null', data: null });
    expect(renderDecoded(decode(null))).toBe('(null)');
  });

  it('when headers repeat or hold buffers, then each becomes one text value', () => {
    expect(decodeHeaders({ a: Buffer.from('x'), b: [Buffer.from('1'), '2'], c: undefined })).toEqual({ a: 'x', b: '1, 2' });
  });

  it('when a key or a value holds an id, then the record mentions it', () => {
    expect(mentions({ key: Buffer.from('{"order_id":"abc"}'), value: null }, 'abc')).toBe(true);
    expect(mentions({ key: null, value: Buffer.from('{"id":"abc"}') }, 'abc')).toBe(true);
    expect(mentions({ key: Buffer.from('x'), value: Buffer.from('y') }, 'abc')).toBe(false);
  });
});

describe('planRead', () => {
  it('when the latest records are asked, then each partition is read from at most `limit` offsets before its end', () => {
    expect(planRead('t', offsets, 'latest', 3)).toEqual([
      { topic: 't', partition: 0, from: '7', to: '10' },
      { topic: 't', partition: 1, from: '4', to: '6' },
      { topic: 't', partition: 2, from: '3', to: '3' },
    ]);
  });

  it('when an offset inside every partition is asked, then each is read from it for `limit` records at most', () => {
    expect(planRead('t', offsets.slice(0, 2), { offset: '4' }, 5)).toEqual([
      { topic: 't', partition: 0, from: '4', to: '9' },
      { topic: 't', partition: 1, from: '4', to: '6' },
    ]);
  });

  it('when the offset is out of range, then a usage error names the valid range of each partition it misses', () => {
    let err: unknown;
    try {
      planRead('order', offsets, { offset: '8' }, 5);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe('offset 8 is out of range for topic order');
    expect((err as UsageError).details).toEqual(['partition 1: 4–5', 'partition 2 holds no records (next offset 3)']);
  });
});
