// What a list's pages must agree on, so that reading a list always ends: each `next` moves forward,
// the rows delivered add up to the announced `count` (give or take what a change during the read
// explains), and no more pages are read than the count announced plus a small margin.

export interface ListPage {
  count: number;
  next: string | null;
  results: unknown[];
}

/** Pages read past the announced count before the list is declared endless (rows created meanwhile). */
const EXTRA_PAGES = 4;

export class ListBounds {
  private readonly seen = new Set<unknown>();
  delivered = 0;

  constructor(
    /** The list's path, for messages. */
    readonly where: string,
    readonly style: 'offset' | 'page',
    /** Rows per full page. */
    readonly size: number,
    /** What the first page announced. */
    readonly count: number,
  ) {}

  /** Pages the count announces (at least one). */
  get plannedPages(): number {
    return Math.max(1, Math.ceil(this.count / this.size));
  }

  /** The last page of the list: nothing follows it, or it is short (the list ends, or shrank, here). */
  isLast(page: ListPage): boolean {
    return page.next === null || page.results.length < this.size;
  }

  /** Takes page `index` (0-based) in order; returns a problem that makes the list unusable, if any. */
  take(index: number, page: ListPage): string | undefined {
    const link = this.linkProblem(index, page);
    if (link) return link;
    const ids = page.results.map((r) => (r as { id?: unknown } | null)?.id).filter((id) => id !== undefined);
    // Only a whole page: a row or two can legitimately come again when the list shifts while it is read.
    const full = page.results.length === this.size;
    if (full && ids.length === page.results.length && ids.every((id) => this.seen.has(id))) {
      return `${this.pageName(index)} repeats rows of earlier pages`;
    }
    for (const id of ids) this.seen.add(id);
    this.delivered += page.results.length;
    return undefined;
  }

  /** After the last page: the rows delivered must come close to the count announced. */
  shortfall(): string | undefined {
    const tolerance = Math.max(this.size, Math.ceil(this.count / 20));
    if (this.count - this.delivered <= tolerance) return undefined;
    return `the list announced ${this.count} rows but its pages held ${this.delivered}`;
  }

  /** Reading page `index` would go past the count plus the margin. */
  beyondMargin(index: number): string | undefined {
    if (index < this.plannedPages + EXTRA_PAGES) return undefined;
    return `the list kept linking to more pages after the ${this.plannedPages} that its count of ${this.count} announced`;
  }

  private linkProblem(index: number, page: ListPage): string | undefined {
    if (page.next === null) return undefined;
    let next: URL;
    try {
      next = new URL(page.next, 'http://relative.invalid');
    } catch {
      return `${this.pageName(index)} has a next link that is not a URL`;
    }
    const here = this.style === 'page' ? index + 1 : index * this.size;
    const param = this.style === 'page' ? 'page' : 'offset';
    const there = Number(next.searchParams.get(param) ?? (this.style === 'page' ? '1' : '0'));
    if (!Number.isFinite(there) || there <= here)
      return `${this.pageName(index)} links back to itself or an earlier page (${param} ${there}) instead of the next one`;
    return undefined;
  }

  private pageName(index: number): string {
    return this.style === 'page' ? `page ${index + 1}` : `the page at offset ${index * this.size}`;
  }
}
