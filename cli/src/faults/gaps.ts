/** The longest pause in a stream of events: what "no pause longer than the failover" is measured with. */

export interface Gap {
  /** Length in ms (0 with fewer than two events). */
  ms: number;
  /** When it started and ended (the events on either side), in ms since the epoch; undefined with fewer than two events. */
  from?: number;
  to?: number;
}

/** The longest interval between consecutive events of `times` (any order; ms since the epoch). */
export function longestGap(times: readonly number[]): Gap {
  const sorted = [...times].sort((a, b) => a - b);
  let best: Gap = { ms: 0 };
  for (let i = 1; i < sorted.length; i++) {
    const ms = sorted[i]! - sorted[i - 1]!;
    if (ms > best.ms) best = { ms, from: sorted[i - 1]!, to: sorted[i]! };
  }
  return best;
}

/** `3.2 s (t+10.1 → t+13.3 s)`: a gap relative to `t0`. */
export function describeGap(gap: Gap, t0: number): string {
  if (gap.from === undefined || gap.to === undefined) return 'none (fewer than two events)';
  const at = (t: number) => ((t - t0) / 1000).toFixed(1);
  return `${(gap.ms / 1000).toFixed(1)} s (t+${at(gap.from)} → t+${at(gap.to)} s)`;
}
