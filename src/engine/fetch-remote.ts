import type { JsonObject } from '../json.js';
import { listOptionsOf, type KindDef } from '../kinds/index.js';
import type { PostHogClient } from '../posthog/client.js';
import { Handover } from '../posthog/paginate.js';

export interface FetchOptions {
  /** Items per page for limit/offset lists. */
  pageSize?: number;
  /**
   * Called once all pages of a kind are in; may return rows found by other means (bound
   * resources the list lacked, retrieved one by one), which join the listing.
   */
  onKindDone?: (kind: KindDef, count: number) => Promise<JsonObject[]> | undefined;
  /** Each page's rows as they arrive, so they can be processed while the rest are in flight. */
  onPage?: (kind: KindDef, items: JsonObject[]) => void;
}

/**
 * Lists every resource of each kind, all pages, kinds in parallel (they sit in
 * different rate-limit buckets). Soft-deleted resources never appear in PostHog lists.
 */
export async function fetchRemote(
  client: PostHogClient,
  kinds: readonly KindDef[],
  opts: FetchOptions = {},
): Promise<Map<string, JsonObject[]>> {
  // One turn of the event loop for one slice of rows, whichever list they come from: the answers
  // that arrive meanwhile are read, and the requests they allow go out, between two slices.
  const handover = new Handover();
  const lists = await Promise.all(
    kinds.map(async (kind) => {
      const items = await client.listAll<JsonObject>(kind.apiPath, {
        ...listOptionsOf(kind),
        pageSize: opts.pageSize,
        handover,
        ...(opts.onPage ? { onPage: (items: JsonObject[]) => opts.onPage?.(kind, items) } : {}),
      });
      const extra = (await opts.onKindDone?.(kind, items.length)) ?? [];
      return [kind.kind, [...items, ...extra]] as [string, JsonObject[]];
    }),
  );
  return new Map(lists);
}
