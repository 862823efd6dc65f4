import { PostHogApiError } from '../errors.js';
import type { RemoteId } from '../kinds/index.js';

// What push tells its caller as it goes, one event a resource (and a reorder), counted into its summary.

export type EventOutcome = 'created' | 'restored' | 'updated' | 'adopted' | 'deleted' | 'reordered' | 'skipped' | 'failed';

export interface PushEvent {
  kind: string;
  key: string;
  outcome: EventOutcome;
  /** What the plan asked for (create, update, adopt, delete, drift, conflict). */
  planned: string;
  id?: RemoteId;
  file?: string;
  reason?: string;
  error?: { status?: number; code?: string; attr?: string | null; detail?: string; message: string };
}

/** A failure as an event carries it: PostHog's status, code, attr and detail where it answered. */
export function describeError(error: unknown): NonNullable<PushEvent['error']> {
  if (error instanceof PostHogApiError) {
    const f = error.fields;
    return {
      status: f.status,
      ...(f.apiCode ? { code: f.apiCode } : {}),
      attr: f.attr ?? null,
      ...(f.detail ? { detail: f.detail } : {}),
      message: error.message,
    };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}
