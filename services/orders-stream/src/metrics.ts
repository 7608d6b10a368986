/** Counters the processor bumps; gauges are read when `/metrics` is scraped. */
export class StreamMetrics {
  readonly eventsIn = new Map<string, number>();
  ordersOut = 0;
  dlq = 0;
  /** Times the order side was rebuilt after a failed transaction or a consumer crash. */
  recoveries = 0;

  countIn(topic: string, n = 1): void {
    this.eventsIn.set(topic, (this.eventsIn.get(topic) ?? 0) + n);
  }
}

export interface LagSample {
  topic: string;
  partition: number;
  lag: number;
}

export interface MetricsSnapshot {
  eventsIn: ReadonlyMap<string, number>;
  ordersOut: number;
  dlq: number;
  recoveries: number;
  pendingOrders: number;
  lag: LagSample[];
  lookupEntries: Record<string, number>;
}

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
const labels = (l: Record<string, string | number>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escapeLabel(String(v))}"`)
    .join(',')}}`;

/** Prometheus text exposition format (version 0.0.4). */
export function renderMetrics(s: MetricsSnapshot): string {
  const out: string[] = [];
  const family = (name: string, type: 'counter' | 'gauge', help: string, samples: Array<[Record<string, string | number>, number]>) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) out.push(`${name}${Object.keys(l).length ? labels(l) : ''} ${v}`);
  };
  family(
    'oms_stream_events_in_total',
    'counter',
    'Records consumed, by input topic.',
    [...s.eventsIn].sort(([a], [b]) => a.localeCompare(b)).map(([topic, n]) => [{ topic }, n]),
  );
  family('oms_stream_orders_out_total', 'counter', 'Enriched orders written to the output topic.', [[{}, s.ordersOut]]);
  family('oms_stream_dlq_total', 'counter', 'Records sent to the dead-letter topic.', [[{}, s.dlq]]);
  family('oms_stream_recoveries_total', 'counter', 'Rebuilds of the order consumer after a failed transaction or crash.', [[{}, s.recoveries]]);
  family('oms_stream_pending_orders', 'gauge', 'Orders waiting for parts or lookups.', [[{}, s.pendingOrders]]);
  family(
    'oms_stream_consumer_lag',
    'gauge',
    'End offset minus consumed position, by input topic and partition.',
    s.lag.map(({ topic, partition, lag }) => [{ topic, partition }, lag]),
  );
  family(
    'oms_stream_lookup_entries',
    'gauge',
    'Rows in each in-memory lookup table.',
    Object.entries(s.lookupEntries).map(([table, n]) => [{ table }, n]),
  );
  return `${out.join('\n')}\n`;
}
