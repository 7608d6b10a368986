/**
 * Tracks whether a consumer has read a set of partitions up to the end offsets they had when it
 * started: how "the lookup tables are loaded" is decided. An empty partition counts as read.
 */
export class CatchUp {
  private readonly remaining = new Map<string, { target: number; position: number }>();
  private readonly totals = new Map<string, { target: number; position: number }>();

  /** `ends`: per topic, each partition's low and high watermark at start. */
  constructor(ends: Record<string, Array<{ partition: number; low: number; high: number }>>) {
    for (const [topic, partitions] of Object.entries(ends)) {
      for (const { partition, low, high } of partitions) {
        const key = `${topic}/${partition}`;
        this.totals.set(key, { target: high, position: low });
        if (high > low) this.remaining.set(key, { target: high, position: low });
      }
    }
  }

  /** The consumer has read everything below `nextOffset` in this partition. */
  advance(topic: string, partition: number, nextOffset: number): void {
    const key = `${topic}/${partition}`;
    const total = this.totals.get(key);
    if (total) total.position = Math.max(total.position, nextOffset);
    const left = this.remaining.get(key);
    if (left && nextOffset >= left.target) this.remaining.delete(key);
  }

  get done(): boolean {
    return this.remaining.size === 0;
  }

  /** e.g. "customer/0 at 120 of 500" for every partition still behind. */
  describe(): string {
    return [...this.remaining.keys()]
      .map((key) => {
        const t = this.totals.get(key)!;
        return `${key} at ${t.position} of ${t.target}`;
      })
      .join(', ');
  }
}
