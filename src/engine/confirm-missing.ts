import pLimit from 'p-limit';
import { notFoundInPostHog } from '../errors.js';
import { isObject, type JsonObject } from '../json.js';
import type { KindDef } from '../kinds/index.js';
import type { Binding } from '../model.js';
import type { PostHogClient } from '../posthog/client.js';

/** Retrievals in flight at once; a mass deletion in the UI may leave many bound ids to check. */
const CONCURRENCY = 4;

/**
 * Bound resources that a list did not show, looked up one by one. PostHog's lists are not
 * proof of deletion (posthog-api.md §10: rows with equal sort keys come back in no stable
 * order between pages, and rows shift while something is created or deleted), so only
 * PostHog's own 404 (in its JSON; not a proxy's page, see notFoundInPostHog) or `deleted: true`
 * on the resource itself says it is gone. Returns the ones that still exist, as raw objects
 * like the list's rows.
 */
export async function confirmMissing(
  client: PostHogClient,
  kind: KindDef,
  bindings: Map<string, Binding>,
  listed: ReadonlySet<string>,
): Promise<JsonObject[]> {
  const missing = [...bindings.values()].filter((b) => !listed.has(String(b.id)));
  if (missing.length === 0) return [];
  const limit = pLimit(CONCURRENCY);
  const found = await Promise.all(
    missing.map((b) =>
      limit(async () => {
        try {
          const raw = await client.request<JsonObject>({
            path: `${kind.apiPath}${encodeURIComponent(String(b.id))}/`,
            query: kind.retrieveQuery,
            bucket: kind.rateBucket,
            expect: 'object',
          });
          return isObject(raw) && raw.deleted !== true ? raw : undefined;
        } catch (error) {
          if (notFoundInPostHog(error)) return undefined;
          throw error;
        }
      }),
    ),
  );
  return found.filter((r): r is JsonObject => r !== undefined);
}
