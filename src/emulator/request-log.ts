import type { RequestLogEntry } from './types.js';

const MAX_ENTRIES = 10_000;

export interface RequestStats {
  requests: number;
  byStatus: Record<string, number>;
  writes: number;
  throttled: number;
}

/** Every /api request, newest last; capped so a long demo session cannot grow without bound. */
export class RequestLog {
  private entries: RequestLogEntry[] = [];
  private seq = 0;
  private counters: RequestStats = { requests: 0, byStatus: {}, writes: 0, throttled: 0 };

  record(entry: Omit<RequestLogEntry, 'seq'>): RequestLogEntry {
    const full: RequestLogEntry = { seq: ++this.seq, ...entry };
    this.entries.push(full);
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES);
    const c = this.counters;
    c.requests += 1;
    c.byStatus[String(full.status)] = (c.byStatus[String(full.status)] ?? 0) + 1;
    if (full.committed) c.writes += 1;
    if (full.status === 429) c.throttled += 1;
    return full;
  }

  list(): RequestLogEntry[] {
    return this.entries.map((e) => ({ ...e, query: { ...e.query } }));
  }

  clear(): void {
    this.entries = [];
    this.counters = { requests: 0, byStatus: {}, writes: 0, throttled: 0 };
  }

  stats(): RequestStats {
    return { ...this.counters, byStatus: { ...this.counters.byStatus } };
  }
}
