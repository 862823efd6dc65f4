import { createHash } from 'node:crypto';

// Every id the emulator mints comes from here and depends only on a counter, so the same seed
// and the same sequence of requests always produce the same ids (golden files stay stable).

/** 2024-06-01T00:00:00Z: the notional time of the first minted UUID. */
const BASE_MS = Date.UTC(2024, 5, 1);

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * PostHog's UUIDT layout (48-bit ms timestamp, 16-bit series, 64 random bits), with the
 * timestamp advanced one second per id and the random part derived from the counter.
 */
export function uuidt(counter: number): string {
  const time = (BASE_MS + counter * 1000).toString(16).padStart(12, '0');
  const series = (counter & 0xffff).toString(16).padStart(4, '0');
  const rand = digest(`uuidt:${counter}`).slice(0, 16);
  const hex = `${time}${series}${rand}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Eight letters/digits like `generate_short_id`, derived from project, insight id and attempt. */
export function shortId(projectId: number, insightId: number, attempt: number): string {
  const bytes = Buffer.from(digest(`short_id:${projectId}:${insightId}:${attempt}`), 'hex');
  let out = '';
  for (let i = 0; i < 8; i++) out += ALPHABET[(bytes[i] as number) % ALPHABET.length];
  return out;
}

/** A short stable hex digest for stand-in values (bytecode, cache keys, key fingerprints). */
export function shortHash(text: string, length = 16): string {
  return digest(text).slice(0, length);
}

/**
 * Python's `uuid.UUID(text)`: braces, a `urn:uuid:` prefix and hyphens anywhere are allowed around
 * 32 hex digits. The canonical lower-case form, or undefined (Django answers 404 for such an id).
 */
export function canonicalUuid(text: string): string | undefined {
  const hex = text
    .trim()
    .replace(/^urn:/i, '')
    .replace(/^uuid:/i, '')
    .replace(/^\{|\}$/g, '')
    .replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
