import { createHash } from 'node:crypto';
import type { JsonObject } from './json.js';

// The emulator has no user accounts: user 1 owns seeded objects and the first key, each further
// key is the next user. Enough for `created_by` to look like PostHog's UserBasic.

const NAMES: Array<[string, string]> = [
  ['Hedgehog', 'Admin'],
  ['Max', 'Hedgehog'],
  ['Sonic', 'Spike'],
  ['Prickly', 'Pear'],
];

/**
 * The organisation's users (every project is in one organisation): users 1 to 4, named above
 * (user 1 owns seeded objects), and the user behind each API key (key n is user n). Any other id
 * is a user that does not exist.
 */
export function organisationUsers(keyUsers: readonly number[] = []): number[] {
  return [...new Set([1, 2, 3, 4, ...keyUsers])].sort((a, b) => a - b);
}

export function userBasic(id: number | null): JsonObject | null {
  if (id === null) return null;
  const [first, last] = NAMES[(id - 1) % NAMES.length] ?? ['User', String(id)];
  const hex = createHash('sha256').update(`user:${id}`).digest('hex');
  return {
    id,
    uuid: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`,
    distinct_id: `user-${hex.slice(0, 24)}`,
    first_name: first,
    last_name: last,
    email: `${first.toLowerCase()}.${last.toLowerCase()}@example.com`,
    is_email_verified: true,
    hedgehog_config: null,
    role_at_organization: 'engineering',
  };
}
