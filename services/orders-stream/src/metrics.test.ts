import { describe, expect, it } from 'vitest';
import { renderMetrics, StreamMetrics } from './metrics.js';

describe('renderMetrics', () => {
  it('when metrics are rendered, then every family is in Prometheus text format with its labels', () => {
    const m = new StreamMetrics();
    m.countIn('order', 3);
    m.countIn('customer');
    m.ordersOut = 2;
    m.dlq = 1;
    const text = renderMetrics({
      eventsIn: m.eventsIn,
      ordersOut: m.ordersOut,
      dlq: m.dlq,
      recoveries: 0,
      pendingOrders: 4,
      lag: [{ topic: 'order', partition: 1, lag: 7 }],
      lookupEntries: { customer: 10, address: 12, products: 3 },
    });
    expect(text).toContain('# TYPE oms_stream_events_in_total counter\noms_stream_events_in_total{topic="customer"} 1\noms_stream_events_in_total{topic="order"} 3\n');
    expect(text).toContain('oms_stream_orders_out_total 2\n');
    expect(text).toContain('oms_stream_dlq_total 1\n');
    expect(text).toContain('# TYPE oms_stream_pending_orders gauge\noms_stream_pending_orders 4\n');
    expect(text).toContain('oms_stream_consumer_lag{topic="order",partition="1"} 7\n');
    expect(text).toContain('oms_stream_lookup_entries{table="products"} 3\n');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('when a label value has quotes or backslashes, then they are escaped', () => {
    const eventsIn = new Map([['we"ird\\topic', 1]]);
    const text = renderMetrics({ eventsIn, ordersOut: 0, dlq: 0, recoveries: 0, pendingOrders: 0, lag: [], lookupEntries: {} });
    expect(text).toContain('oms_stream_events_in_total{topic="we\\"ird\\\\topic"} 1');
  });
});
