/**
 * The exploration commands of the real binary against the running stack (the one the e2e
 * global setup brought up): `topics tail` as NDJSON, `trace`, `open` — shapes as documented
 * in docs/cli.md, and their answers to bad input. They only read (and place nothing).
 */
import { describe, expect, it } from 'vitest';
import { errorEnvelope, okEnvelope, oms, parseJson, schemas, topicRecord } from './helpers.js';

/** No display: `oms open` prints the URL instead of starting a browser. */
const noDisplay = { DISPLAY: '', WAYLAND_DISPLAY: '' };

describe('oms topics tail', () => {
  it('when asked for JSON, then each record is one line of its own (NDJSON), decoded, and --limit ends it with exit 0', async () => {
    const res = await oms(['topics', 'tail', 'order', '--from-beginning', '--limit', '2', '--json'], { timeoutMs: 120_000 });
    expect(res.exitCode, res.stderr).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    const records = lines.map((l) => topicRecord.parse(JSON.parse(l)));
    expect(records.every((r) => r.topic === 'order' && r.key.format === 'json' && r.value.format === 'json')).toBe(true);
  });

  it('when the topic or the partition does not exist, then it exits 2 naming what there is', async () => {
    const topic = await oms(['topics', 'tail', 'no-such-topic']);
    expect(topic.exitCode).toBe(2);
    expect(topic.stderr).toContain('error: no topic named "no-such-topic"');
    expect(topic.stderr).toMatch(/hint: topics: .*order_detail/);
    const partition = await oms(['topics', 'tail', 'order', '--partition', '99', '--json']);
    expect(partition.exitCode).toBe(2);
    expect(errorEnvelope.parse(parseJson(partition.stdout)).error.message).toBe('topic order has no partition 99');
  });
});

describe('oms trace', () => {
  it('when an order of the seed is traced, then every hop is found, in pipeline order, with times and deltas', async () => {
    const first = await oms(['topics', 'tail', 'order', '--from-beginning', '--limit', '1', '--json'], { timeoutMs: 120_000 });
    const orderId = (topicRecord.parse(JSON.parse(first.stdout.trim())).key.data as { order_id: string }).order_id;
    const res = await oms(['trace', orderId, '--json'], { timeoutMs: 120_000 });
    expect(res.exitCode, res.stderr).toBe(0);
    const data = okEnvelope('trace', schemas.trace).parse(parseJson(res.stdout)).data;
    expect(data).toMatchObject({ orderId, complete: true });
    expect(data.hops.map((h) => h.id)).toEqual(['mariadb', 'order', 'order_detail', 'orders-graph', 'postgres', 'graphql']);
    expect(data.hops.slice(1, 4).every((h) => h.deltaMs !== null && h.records.length > 0)).toBe(true);
  });

  it('when the id is found at no hop, then it exits 2 and lists every place it looked', async () => {
    const res = await oms(['trace', '00000000-0000-4000-8000-000000000000', '--json'], { timeoutMs: 120_000 });
    expect(res.exitCode).toBe(2);
    const { error } = errorEnvelope.parse(parseJson(res.stdout));
    expect(error.message).toBe('order 00000000-0000-4000-8000-000000000000 was not found at any hop');
    expect(error.details).toHaveLength(6);
  });

  it('when the id is not a UUID, then it is a usage error', async () => {
    const res = await oms(['trace', '42']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('"42" is not an order id');
  });
});

describe('oms open', () => {
  it('when there is no display, then it prints the URL of what was asked and whether it answers', async () => {
    const res = await oms(['open', 'graphiql', '--json'], { env: noDisplay });
    expect(res.exitCode, res.stderr).toBe(0);
    const data = okEnvelope('open', schemas.open).parse(parseJson(res.stdout)).data;
    expect(data).toMatchObject({ target: 'graphiql', opened: false, answering: true });
    expect(data.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/graphql$/);
    const plain = await oms(['open'], { env: noDisplay });
    expect(plain.stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('when the target is unknown, then it exits 2 with the choices', async () => {
    const res = await oms(['open', 'docs', 'kafka']);
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toContain('no API docs for "kafka"');
    expect(res.stderr).toContain('customers, products, orders');
  });
});
