import type { EmulatorStore } from './store.js';
import type { Json } from './json.js';
import type { ProjectStore } from './types.js';

/** What a PostHog route handler sees: the authenticated request, scoped to one project. */
export interface ApiRequest {
  method: string;
  /** Absolute URL as the client addressed it (pagination links are built from it). */
  url: URL;
  params: Record<string, string>;
  /** The parsed body; throws DRF's parse / media-type errors only when a handler reads it. */
  body(): unknown;
  project: ProjectStore;
  userId: number;
  /** Ids of the organisation's users (users.ts `organisationUsers`). */
  users: readonly number[];
  store: EmulatorStore;
  /** Draws for unordered list ties: one stream per emulator, seedable (`EmulatorOptions.orderSeed`). */
  random: () => number;
}

export interface ApiResponse {
  status: number;
  /** JSON, raw bytes, or null for an empty body. */
  body: Json | Buffer | null;
  contentType?: string;
  /** The request changed stored state. */
  committed?: boolean;
  /** Rows were rendered by a light serializer (InsightBasicSerializer): they cost latencyPerBasicItemMs each. */
  lightRows?: boolean;
  /** Rows the answer serialised, where that is not what its shape says (a dashboard and the insights of its tiles). */
  itemCount?: number;
}

export const json = (status: number, body: Json, committed = false): ApiResponse => ({ status, body, committed });
