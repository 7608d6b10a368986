import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger } from '@oms/service-kit';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type StreamView } from './app.js';
import { StreamMetrics } from './metrics.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function get(stream: StreamView, path: string) {
  server = createApp({ logger: createLogger('test', 'silent'), stream }).listen(0, '127.0.0.1');
  await new Promise((r) => server!.once('listening', r));
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

function stubStream(overrides: Partial<ReturnType<StreamView['status']>> = {}): StreamView {
  const metrics = new StreamMetrics();
  metrics.countIn('order', 2);
  return {
    metrics,
    status: () => ({ lookups: { ready: true, detail: 'loaded' }, consumer: { ready: true, detail: 'running' }, ...overrides }),
    stats: () => ({ pendingOrders: 1, customers: 2, addresses: 3, products: 4 }),
    lag: async () => [{ topic: 'order', partition: 0, lag: 5 }],
  };
}

describe('orders-stream app', () => {
  it('when lookups are loaded and the consumer runs, then /health is 200', async () => {
    const res = await get(stubStream(), '/health');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toMatchObject({ status: 'ok', checks: { lookups: { ok: true }, consumer: { ok: true } } });
  });

  it('when lookups are still loading, then /health is 503 and says why', async () => {
    const res = await get(stubStream({ lookups: { ready: false, detail: 'loading: customer/0 at 3 of 9' } }), '/health');
    expect(res.status).toBe(503);
    expect(JSON.parse(res.text)).toMatchObject({ status: 'unavailable', checks: { lookups: { ok: false, error: 'loading: customer/0 at 3 of 9' } } });
  });

  it('when /metrics is scraped, then it answers Prometheus text with counters and gauges', async () => {
    const res = await get(stubStream(), '/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain/);
    expect(res.text).toContain('oms_stream_events_in_total{topic="order"} 2');
    expect(res.text).toContain('oms_stream_pending_orders 1');
    expect(res.text).toContain('oms_stream_consumer_lag{topic="order",partition="0"} 5');
    expect(res.text).toContain('oms_stream_lookup_entries{table="products"} 4');
  });

  it('when the broker cannot report lag, then /metrics still answers without the lag samples', async () => {
    const res = await get({ ...stubStream(), lag: async () => Promise.reject(new Error('no broker')) }, '/metrics');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('oms_stream_consumer_lag{');
  });
});
