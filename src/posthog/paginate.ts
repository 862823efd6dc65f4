import type { PostHogClient, RequestOptions } from './client.js';

/** DRF list envelope, shared by both pagination styles. */
interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

export interface ListOptions<T = unknown> {
  pagination: 'offset' | 'page';
  query?: RequestOptions['query'];
  bucket?: string;
  /** Items per page for limit/offset lists (PostHog sets no maximum). Page-number lists have a fixed server size. */
  pageSize?: number;
  /** Called with rows as their pages arrive, in slices and in any order (a row may repeat if the list shifted). */
  onPage?: (items: T[]) => void;
}

const DEFAULT_PAGE_SIZE = 500;
const HANDOVER_ROWS = 50;

/**
 * Fetches every page. The first page tells the count, so the remaining pages are
 * fetched concurrently (bounded by the client's page concurrency) instead of one
 * `next` link at a time; a list that grew meanwhile is finished by following offsets.
 */
export async function listPages<T>(client: PostHogClient, path: string, opts: ListOptions<T>): Promise<T[]> {
  const slots = new Slots(client.pageConcurrency);
  // A page holds one of `pageConcurrency` slots while PostHog works on it, and gives it back
  // as soon as the answer starts to arrive: reading and converting the rows is our work, not
  // PostHog's, and the next page can be on its way meanwhile.
  const get = async (query: RequestOptions['query']) => {
    const release = await slots.take();
    const page = await client
      .request<Page<T>>({ method: 'GET', path, query: { ...opts.query, ...query }, bucket: opts.bucket, onHeaders: release })
      .finally(release);
    // Handed over once the next request has gone out, a slice at a time, so processing rows
    // never holds up sending or receiving the other pages.
    const onPage = opts.onPage;
    if (onPage) {
      for (let i = 0; i < page.results.length || i === 0; i += HANDOVER_ROWS) {
        const rows = page.results.slice(i, i + HANDOVER_ROWS);
        processing.push(
          new Promise<void>((resolve, reject) =>
            setImmediate(() => {
              try {
                onPage(rows);
                resolve();
              } catch (error) {
                reject(error);
              }
            }),
          ),
        );
      }
    }
    return page;
  };
  const processing: Array<Promise<void>> = [];
  const done = async (items: T[]): Promise<T[]> => {
    await Promise.all(processing);
    return items;
  };
  if (opts.pagination === 'page') {
    const first = await get({ page: 1 });
    const size = first.results.length;
    if (!first.next || size === 0) return done(first.results);
    const pages = Math.ceil(first.count / size);
    const rest = await Promise.all(range(2, pages).map((page) => get({ page })));
    const all = [first, ...rest];
    let last = all[all.length - 1];
    for (let page = pages + 1; last?.next; page++) {
      last = await get({ page });
      all.push(last);
    }
    return done(dedupe(all.flatMap((p) => p.results)));
  }

  const size = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const first = await get({ limit: size, offset: 0 });
  const offsets: number[] = [];
  for (let o = size; o < first.count; o += size) offsets.push(o);
  const rest = await Promise.all(offsets.map((offset) => get({ limit: size, offset })));
  const all = [first, ...rest];
  let last = all[all.length - 1];
  for (let offset = size * all.length; last?.next; offset += size) {
    last = await get({ limit: size, offset });
    all.push(last);
  }
  return done(dedupe(all.flatMap((p) => p.results)));
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

function range(from: number, to: number): number[] {
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

/** Rows that shifted between pages while the list changed would appear twice. */
function dedupe<T>(items: T[]): T[] {
  const seen = new Set<unknown>();
  return items.filter((item) => {
    const id = (item as { id?: unknown } | null)?.id;
    if (id === undefined) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
