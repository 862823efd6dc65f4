import type { KindDef } from '../kinds/index.js';
import type { RequestEvent, WaitEvent } from '../posthog/client.js';
import type { Io } from './io.js';

/** How often a plain progress line is printed when stderr is not a terminal (CI logs). */
const DEFAULT_INTERVAL_MS = 10_000;
/** A run shorter than this shows no progress at all. */
const QUIET_MS = 2_000;
/** How often the terminal line is redrawn. */
const REDRAW_MS = 250;

interface Listing {
  label: string;
  rows: number;
  count: number;
}

/**
 * What a run has done so far, on stderr: on a terminal one line redrawn in place, elsewhere a
 * plain line every HOGSYNC_PROGRESS_MS (default 10 s; 0 turns it off). Fed by the clients'
 * request events; nothing shows for a run shorter than two seconds, and stdout is never touched.
 */
export class Progress {
  private readonly environments: string[] = [];
  private command = '';
  /** The kinds whose listings are counted, given by track(): the CLI shows progress before it loads them. */
  private kinds: readonly KindDef[] = [];
  private requests = 0;
  private written = 0;
  /** Collections being listed, by path: rows read so far and the count PostHog gave. */
  private readonly listings = new Map<string, Listing>();
  private timer: NodeJS.Timeout | undefined;
  /** A terminal line is on the screen and must be cleared before anything else is written. */
  private drawn = false;
  private paused = false;
  private lastLine = '';
  /** The latest wait before a request, shown while it lasts. */
  private wait: WaitEvent | undefined;
  private readonly intervalMs: number;

  constructor(
    private readonly io: Io,
    private readonly started: number,
    private readonly now: () => number = Date.now,
  ) {
    const raw = io.env.HOGSYNC_PROGRESS_MS;
    const n = Number(raw);
    this.intervalMs = raw !== undefined && raw.trim() !== '' && Number.isFinite(n) && n >= 0 ? n : DEFAULT_INTERVAL_MS;
  }

  /** Starts showing progress for `command` against `environment`; returns the clients' request hook. */
  track(command: string, environment: string, kinds: readonly KindDef[]): (e: RequestEvent) => void {
    this.command = command;
    this.kinds = kinds;
    if (!this.environments.includes(environment)) this.environments.push(environment);
    if (this.timer === undefined && this.intervalMs > 0) {
      this.timer = setInterval(() => this.tick(), this.io.isTTY ? Math.min(REDRAW_MS, this.intervalMs) : this.intervalMs);
      // Progress never keeps a finished run alive.
      this.timer.unref();
    }
    return (e) => this.count(e);
  }

  /** Told of each wait before a request: the line says what the run waits for, and until when. */
  waiting(e: WaitEvent): void {
    if (!this.wait || this.wait.until <= this.now() || e.until > this.wait.until) this.wait = e;
  }

  /** The run's Io, with the progress line taken off the terminal before anything else is written. */
  guard(io: Io): Io {
    const guarded: Io = {
      ...io,
      out: (t) => {
        this.clear();
        io.out(t);
      },
      err: (t) => {
        this.clear();
        io.err(t);
      },
    };
    const prompt = io.prompt;
    if (prompt) {
      guarded.prompt = async (question, signal) => {
        // No redraw over the question while the user types.
        this.clear();
        this.paused = true;
        try {
          return await prompt(question, signal);
        } finally {
          this.paused = false;
        }
      };
    }
    return guarded;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  /** The line as it would be shown now. */
  private line(): string {
    const read = [...this.byLabel()].map(([label, l]) => `${fmt(l.rows)} of ${fmt(l.count)} ${label}`);
    const done = [read.length > 0 ? `${read.join(', ')} read` : '', this.written > 0 ? `${fmt(this.written)} written` : ''].filter(Boolean);
    const elapsed = `${fmt(this.requests)} request${this.requests === 1 ? '' : 's'}, ${duration(this.now() - this.started)}`;
    const wait = this.wait && this.wait.until > this.now() ? `; ${waitText(this.wait, this.now())}` : '';
    return `${this.command} ${this.environments.join(' → ')}: ${done.length > 0 ? `${done.join(', ')}; ` : ''}${elapsed}${wait}…`;
  }

  private count(e: RequestEvent): void {
    this.requests++;
    const ok = typeof e.status === 'number' && e.status >= 200 && e.status < 300;
    if (ok && e.method !== 'GET') this.written++;
    if (!ok || !e.page) return;
    const [collection = '', query = ''] = e.path.split('?');
    const kind = this.kinds.find((k) => collection.endsWith(`/${k.apiPath}`));
    if (!kind) return;
    const params = new URLSearchParams(query);
    // The first page of a listing starts it (again: a second listing of one collection counts afresh).
    const first = (params.get('offset') ?? '0') === '0' && (params.get('page') ?? '1') === '1';
    const listing = this.listings.get(collection);
    if (!listing || first) this.listings.set(collection, { label: kind.label, rows: e.page.rows, count: e.page.count });
    else listing.rows += e.page.rows;
  }

  /** Listings added up per kind (a copy lists each kind in two projects), in registry order; empty ones left out. */
  private byLabel(): Map<string, { rows: number; count: number }> {
    const sums = new Map<string, { rows: number; count: number }>();
    for (const kind of this.kinds) {
      const sum = { rows: 0, count: 0 };
      for (const l of this.listings.values()) {
        if (l.label !== kind.label) continue;
        sum.rows += Math.min(l.rows, l.count);
        sum.count += l.count;
      }
      if (sum.count > 0) sums.set(kind.label, sum);
    }
    return sums;
  }

  private tick(): void {
    if (this.paused || this.now() - this.started < Math.min(QUIET_MS, this.intervalMs)) return;
    const line = this.line();
    if (!this.io.isTTY) {
      this.io.err(`${line}\n`);
      return;
    }
    if (line === this.lastLine && this.drawn) return;
    this.lastLine = line;
    this.drawn = true;
    const width = this.io.columns ?? 80;
    this.io.err(`\r\x1b[2K${line.length >= width ? `${line.slice(0, Math.max(1, width - 2))}…` : line}`);
  }

  private clear(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.io.err('\r\x1b[2K');
  }
}

/** `waiting for PostHog's crud rate limit until 14:03:05 UTC (2 min 10 s)` */
function waitText(w: WaitEvent, now: number): string {
  const what =
    w.reason === 'rate limit'
      ? `PostHog's ${w.bucket ?? ''} rate limit`.replace('  ', ' ')
      : w.reason === 'Retry-After'
        ? 'the wait PostHog asked for (Retry-After)'
        : 'a retry';
  return `waiting for ${what} until ${new Date(w.until).toISOString().slice(11, 19)} UTC (${duration(w.until - now)})`;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

function duration(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
