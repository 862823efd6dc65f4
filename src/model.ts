// Values every layer passes around: what an environment knows about one resource. Kept here,
// apart from the store that persists them and the plan that reads them, so neither imports the other.
import type { JsonObject } from './json.js';
import type { RemoteId } from './kinds/index.js';

/** What one environment knows about one resource. */
export interface Binding {
  id: RemoteId;
  /** Insight short_id and similar stable extras. */
  short_id?: string;
  /** Hash of the canonical spec last seen in sync: the base of the three-way diff. */
  base: string;
  /** Secret inputs set from variables: input pointer → the `{value: "${VAR}"}` that set it. Never a value. */
  secrets?: Record<string, JsonObject>;
}

/** A create that was sent but whose outcome was not recorded (crash, ambiguous failure). */
export interface PendingCreate {
  natural?: string;
  hash: string;
}
