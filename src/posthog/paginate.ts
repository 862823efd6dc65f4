import { MalformedAnswerError, notFoundInPostHog } from '../errors.js';
import type { PostHogClient, RequestOptions } from './client.js';
import { ListBounds } from './list-bounds.js';

/** DRF list envelope, shared by both pagination styles. */
interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface ListOptions<T = unknown> {
  /** `offset` = DRF LimitOffsetPagination; `page` = PageNumberPagination; `none`: the whole list in one answer. */
  pagination: 'offset' | 'page' | 'none';
  query?: RequestOptions['query'];
  bucket?: string;
  /** Items per page for limit/offset lists (PostHog sets no maximum). Page-number lists have a fixed server size. */
  pageSize?: number;
  /** Called with rows as their pages arrive, in slices and in any order (a row may repeat if the list shifted). */
  onPage?: (items: T[]) => void;
  /**
   * The rows are summaries (a lighter list serializer): each is retrieved at `<path><id>/` with
   * this query, and the retrieved objects are the list. A row gone meanwhile (404) is left out.
   */
  details?: { query?: RequestOptions['query'] };
  /** Where `onPage` work waits for its turn: one shared by the lists read at once, or one of this list's own. */
  handover?: Handover;
}

const DEFAULT_PAGE_SIZE = 500;
const HANDOVER_ROWS = 50;

/**
 * Fetches every page. The first page tells the count, so the following pages are fetched
 * concurrently (bounded by the client's page concurrency), asked for in order and no further
 * than the first page that ends the list; a list that grew meanwhile is finished by following
 * offsets, a few pages at most. Pages that contradict each other (a `next` that does not move
 * on, a count far beyond what the pages hold, no end in sight) stop with MalformedAnswerError.
 */
export async function listPages<T>(client: PostHogClient, path: string, opts: ListOptions<T>): Promise<T[]> {
  const handover = opts.handover ?? new Handover();
  if (opts.details) {
    const { details, onPage, ...summaries } = opts;
    return retrieveEach(
      client,
      path,
      await listPages(client, path, summaries),
      details.query,
      opts.bucket,
      onPage && ((rows: T[]) => handover.run(() => onPage(rows))),
    );
  }
  if (opts.pagination === 'none') {
    const answer = await client.request<{ results: T[] }>({
      method: 'GET',
      path,
      query: opts.query,
      bucket: opts.bucket,
      expect: 'results',
    });
    if (opts.onPage) await handover.run(() => opts.onPage?.(answer.results));
    return answer.results;
  }
  const processing: Array<Promise<void>> = [];
  const all = new Map<unknown, T>();
  const anonymous: T[] = [];
  // PostHog orders some lists with unordered ties, or not at all (insight variables): pages
  // of one read then repeat some rows and skip others. A read that comes back short of its
  // count is read again, and the rows of every read are put together, until they add up to
  // the count (the newest read's: rows created or deleted meanwhile move it), a dozen reads at most.
  let size = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  for (let pass = 1; ; pass++) {
    let read: { rows: T[]; count: number };
    try {
      read = await readOnce(client, path, { ...opts, pageSize: size }, processing, handover);
    } catch (error) {
      // PostHog bounds a page by rows, not bytes: 500 insights with big queries can pass the
      // answer size limit. Smaller pages read them; only a single row that large needs the limit raised.
      if (
        !(
          error instanceof MalformedAnswerError &&
          error.tooLarge !== undefined &&
          opts.pagination === 'offset' &&
          size > 1 &&
          pass < MAX_PASSES
        )
      )
        throw error;
      size = Math.max(1, Math.floor(size / 4));
      continue;
    }
    for (const row of read.rows) {
      const id = (row as { id?: unknown } | null)?.id;
      if (id === undefined) anonymous.push(row);
      else if (!all.has(id)) {
        all.set(id, row);
      }
    }
    if (anonymous.length > 0 || all.size >= read.count || pass >= MAX_PASSES) break;
  }
  await Promise.all(processing);
  return [...all.values(), ...anonymous];
}

/** Reads of a whole list before what is still missing is left to the caller (who retrieves what matters). */
const MAX_PASSES = 12;

/** One read of every page: its rows (a row may repeat) and the count its first page announced. */
async function readOnce<T>(
  client: PostHogClient,
  path: string,
  opts: ListOptions<T>,
  processing: Array<Promise<void>>,
  // One for the whole listing, so that its pages are converted a slice per turn, in turn.
  handover: Handover,
): Promise<{ rows: T[]; count: number }> {
  const slots = new Slots(client.pageConcurrency);
  const style = opts.pagination === 'page' ? 'page' : 'offset';
  const requested = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const at = (index: number): RequestOptions['query'] =>
    style === 'page' ? { page: index + 1 } : { limit: requested, offset: index * requested };

  // A page holds one of `pageConcurrency` slots while PostHog works on it, and gives it back
  // as soon as the answer starts to arrive: reading and converting the rows is our work, not
  // PostHog's, and the next page can be on its way meanwhile.
  const get = async (index: number): Promise<Page<T>> => {
    const release = await slots.take();
    const page = await client
      .request<Page<T>>({
        method: 'GET',
        path,
        query: { ...opts.query, ...at(index) },
        bucket: opts.bucket,
        onHeaders: release,
        expect: 'page',
      })
      .finally(release);
    if (opts.onPage) handOver(page.results, opts.onPage, processing, handover);
    return page;
  };

  const first = await get(0);
  // Page-number lists have a fixed server-side size: that of a first page that others follow.
  const size = style === 'page' ? Math.max(1, first.results.length) : requested;
  const bounds = new ListBounds(client.resolvePath(path), style, size, first.count);
  const fail = (problem: string) => new MalformedAnswerError('GET', bounds.where, 200, client.redact(problem));
  const pages: Array<Page<T>> = [first];

  // PageNumberPagination answers a page past the end with 404 "Invalid page.": that is the end.
  const fetchPage = (index: number) =>
    get(index).catch((error: unknown) => {
      if (style === 'page' && notFoundInPostHog(error)) return { count: first.count, next: null, previous: null, results: [] as T[] };
      throw error;
    });
  if (!bounds.isLast(first)) {
    let next = 1;
    let stop = false;
    const worker = async () => {
      while (!stop && next < bounds.plannedPages) {
        const index = next++;
        try {
          const page = await fetchPage(index);
          pages[index] = page;
          if (bounds.isLast(page)) stop = true;
        } catch (error) {
          stop = true;
          throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(client.pageConcurrency, bounds.plannedPages - 1) }, worker));
  }

  // In order: each page's links, up to the first page that ends the list (later ones, fetched
  // concurrently, can only be past the end of a list that shrank).
  const kept: Array<Page<T>> = [];
  let ended = false;
  for (const [index, page] of pages.entries()) {
    const problem = bounds.take(index, page);
    if (problem) throw fail(problem);
    kept.push(page);
    if (bounds.isLast(page)) {
      ended = true;
      break;
    }
  }
  // The list grew while it was read: follow it, a few pages past the count at most.
  for (let index = kept.length; !ended; index++) {
    const beyond = bounds.beyondMargin(index);
    if (beyond) throw fail(beyond);
    const page = await fetchPage(index);
    const problem = bounds.take(index, page);
    if (problem) throw fail(problem);
    kept.push(page);
    ended = bounds.isLast(page);
  }
  const shortfall = bounds.shortfall();
  if (shortfall) throw fail(shortfall);
  return { rows: kept.flatMap((p) => p.results), count: first.count };
}

/**
 * Each summary row retrieved whole, `pageConcurrency` at a time; handed over as they arrive. As
 * with pages, a retrieve gives its slot back once its answer starts to arrive.
 */
async function retrieveEach<T>(
  client: PostHogClient,
  path: string,
  rows: T[],
  query: RequestOptions['query'],
  bucket: string | undefined,
  handOverRows: ((items: T[]) => Promise<void>) | undefined,
): Promise<T[]> {
  const slots = new Slots(client.pageConcurrency);
  const processing: Array<Promise<void>> = [];
  const one = async (row: T): Promise<T | undefined> => {
    const id = (row as { id?: unknown } | null)?.id;
    if (typeof id !== 'string' && typeof id !== 'number') return row;
    const release = await slots.take();
    try {
      const full = await client.request<T>({
        method: 'GET',
        path: `${path}${encodeURIComponent(String(id))}/`,
        query,
        bucket,
        onHeaders: release,
        expect: 'object',
      });
      if (handOverRows) processing.push(handOverRows([full]));
      return full;
    } catch (error) {
      // Deleted between the list and the retrieve: it is not part of the list any more.
      if (notFoundInPostHog(error)) return undefined;
      throw error;
    } finally {
      release();
    }
  };
  const all = (await Promise.all(rows.map(one))).filter((r): r is Awaited<T> => r !== undefined) as T[];
  await Promise.all(processing);
  return all;
}

/**
 * Work handed over by lists read at once (converting their rows), run one piece per turn of the
 * event loop in the order it came: between two pieces, answers that arrived meanwhile are read
 * and the next requests go out, so that the work never holds up the network.
 */
export class Handover {
  private readonly queue: Array<() => void> = [];
  private scheduled = false;

  /** Runs `work` once what was handed over before it has run; settles as it does. */
  run(work: () => void): Promise<void> {
    const done = new Promise<void>((resolve, reject) =>
      this.queue.push(() => {
        try {
          work();
          resolve();
        } catch (error) {
          reject(error);
        }
      }),
    );
    // Awaited by whoever handed it over; marked handled now so that a failing page elsewhere cannot leave it unobserved.
    done.catch(() => undefined);
    this.schedule();
    return done;
  }

  private schedule(): void {
    if (this.scheduled || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.queue.shift()?.();
      this.schedule();
    });
  }
}

/** Hands rows over a slice at a time once the next request has gone out, so processing never holds up the network. */
function handOver<T>(rows: T[], onPage: (items: T[]) => void, processing: Array<Promise<void>>, handover: Handover): void {
  for (let i = 0; i < rows.length || i === 0; i += HANDOVER_ROWS) {
    const slice = rows.slice(i, i + HANDOVER_ROWS);
    processing.push(handover.run(() => onPage(slice)));
  }
}

/** A counting semaphore whose permits can be returned early (and more than once, harmlessly). */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];
  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  async take(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let returned = false;
    return () => {
      if (returned) return;
      returned = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}
