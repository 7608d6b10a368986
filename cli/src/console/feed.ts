/**
 * One overview for every open page: collected every `intervalMs` while at least one page
 * listens, never while none does, and never twice at once. A page that opens gets the last
 * overview at once when it is recent.
 */
import type { Overview } from '../ops/overview.js';

/** What a listener receives: an overview, or why there is none this time. */
export type FeedEvent = { type: 'overview'; overview: Overview } | { type: 'problem'; problem: { error: string; message: string } };

export class OverviewFeed {
  private readonly listeners = new Set<(e: FeedEvent) => void>();
  private last: { at: number; event: FeedEvent } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private collecting = false;

  constructor(
    private readonly collect: () => Promise<Overview>,
    /** Turns a failure into what pages show (never a stack trace). */
    private readonly describe: (err: unknown) => { error: string; message: string },
    private readonly intervalMs = 2000,
  ) {}

  /** Starts delivering to `listener`; returns the function that stops it. */
  subscribe(listener: (e: FeedEvent) => void): () => void {
    this.listeners.add(listener);
    if (this.last && Date.now() - this.last.at < this.intervalMs) listener(this.last.event);
    if (!this.collecting && !this.timer) void this.tick();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0 && this.timer) {
        clearTimeout(this.timer);
        this.timer = undefined;
      }
    };
  }

  get size(): number {
    return this.listeners.size;
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    if (this.listeners.size === 0) return;
    this.collecting = true;
    let event: FeedEvent;
    try {
      event = { type: 'overview', overview: await this.collect() };
    } catch (err) {
      event = { type: 'problem', problem: this.describe(err) };
    } finally {
      this.collecting = false;
    }
    this.last = { at: Date.now(), event };
    for (const listener of this.listeners) listener(event);
    // The next round starts a full interval after this one ended: a slow collection never piles up.
    if (this.listeners.size > 0) this.timer = setTimeout(() => void this.tick(), this.intervalMs);
  }
}
