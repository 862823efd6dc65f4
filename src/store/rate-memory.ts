import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { checkNoLinks, readRegularFile } from './file-guard.js';

/**
 * `.hogsync/rate/<hash>.json`: when recent runs' requests to one PostHog host with one
 * personal API key were answered, per rate-limit bucket, so that the next run's limiter
 * counts them as PostHog's throttles do (they count per key, whatever process sent the
 * request). It is a cache, not a record: a missing, unreadable or corrupt file is an empty
 * memory, and a file that cannot be written is skipped, never an error of the run.
 *
 * The file name is a salted SHA-256 of the host and of a SHA-256 of the key, cut to 128
 * bits; the file holds timestamps only. The folder is not committed (`hogsync init` ignores
 * it, and it carries its own .gitignore for workspaces made before).
 */

/** When requests of each bucket were answered, ms since the epoch (the limiter's RateHistory). */
type Times = Record<string, number[]>;

const VERSION = 1;
// Domain separation: the name matches no other hash of the key (PostHog's own cache key hashes it too).
const SALT = 'hogsync rate-limit memory v1';
// Far above PostHog's largest limit (4800/hour): bounds the file whatever it was given.
const MAX_PER_BUCKET = 20_000;
const MAX_BYTES = 2 * 1024 * 1024;
const BUCKET_NAME = /^[a-z][a-z0-9_-]{0,39}$/;

export interface RateMemory {
  /** The requests of recent runs; empty when there is no usable file. */
  read(): Times;
  /** Adds this run's requests to what is on disk, drops those older than `horizonMs`, and writes atomically. */
  write(own: Times, horizonMs: number): void;
}

export function rateMemory(root: string, host: string, apiKey: string, now: () => number = Date.now): RateMemory {
  const folder = join(root, '.hogsync', 'rate');
  const keyPrint = createHash('sha256').update(apiKey).digest('hex');
  const name = createHash('sha256').update(`${SALT}\n${host}\n${keyPrint}`).digest('hex').slice(0, 32);
  const file = join(folder, `${name}.json`);
  const usable = () => {
    try {
      // A link in the way could send the write outside the repository.
      checkNoLinks(root, folder, (p) => p);
      return true;
    } catch {
      return false;
    }
  };
  return {
    read: () => (usable() ? readTimes(file) : {}),
    write(own, horizonMs) {
      if (horizonMs <= 0 || Object.keys(own).length === 0 || !usable()) return;
      const since = now() - horizonMs;
      const merged = readTimes(file);
      for (const [bucket, times] of Object.entries(own)) merged[bucket] = [...(merged[bucket] ?? []), ...times];
      const buckets: Times = {};
      for (const [bucket, times] of Object.entries(merged)) {
        const kept = times
          .filter((t) => t > since)
          .sort((a, b) => a - b)
          .slice(-MAX_PER_BUCKET);
        if (kept.length > 0) buckets[bucket] = kept;
      }
      try {
        if (!existsSync(join(folder, '.gitignore'))) writeFileAtomic(join(folder, '.gitignore'), '*\n');
        writeFileAtomic(file, `${JSON.stringify({ version: VERSION, buckets })}\n`);
      } catch {
        // Read-only checkout, full disk: the next run only starts with less in its windows.
      }
    },
  };
}

function readTimes(file: string): Times {
  let doc: unknown;
  try {
    doc = JSON.parse(readRegularFile(file, file, MAX_BYTES));
  } catch {
    return {};
  }
  if (typeof doc !== 'object' || doc === null || (doc as { version?: unknown }).version !== VERSION) return {};
  const buckets = (doc as { buckets?: unknown }).buckets;
  if (typeof buckets !== 'object' || buckets === null || Array.isArray(buckets)) return {};
  const out: Times = {};
  for (const [bucket, times] of Object.entries(buckets)) {
    if (!BUCKET_NAME.test(bucket) || !Array.isArray(times)) continue;
    out[bucket] = times.filter((t): t is number => typeof t === 'number' && Number.isFinite(t)).slice(-MAX_PER_BUCKET);
  }
  return out;
}
