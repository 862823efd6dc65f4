import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Verdict } from '../kinds/syntax.js';
import { writeFileAtomic } from './atomic.js';
import { checkNoLinks, readRegularFile } from './file-guard.js';

/**
 * `.hogsync/cache/syntax.json`: what PostHog's parser concluded about each Hog and HogQL text
 * this checkout has parsed, by a hash of the text (kinds/syntax-table.ts codeKey), so that a
 * text is parsed once, not on every diff and push (tens of milliseconds each). It is a cache,
 * not a record: a missing, unreadable, corrupt or other parser version's file is empty, a
 * file that cannot be written is skipped, and the folder is not committed (`hogsync init`
 * ignores it, and it carries its own .gitignore).
 */
export interface SyntaxCache {
  /** The verdict on this key, if one is kept. */
  get(key: string): Verdict | undefined;
  put(key: string, verdict: Verdict): void;
  /** Writes what was put since it was read, with what other runs wrote meanwhile. */
  save(): void;
}

const VERSION = 1;
// About 45 bytes an entry: a project of tens of thousands of resources fits, and the file stays a few MB.
const MAX_ENTRIES = 50_000;
const MAX_BYTES = 8 * 1024 * 1024;

/** `parser`: the parser's version; verdicts of another version are not trusted. */
export function syntaxCache(root: string, parser: string): SyntaxCache {
  const folder = join(root, '.hogsync', 'cache');
  const file = join(folder, 'syntax.json');
  const usable = () => {
    try {
      // A link in the way could send the write outside the repository.
      checkNoLinks(root, folder, (p) => p);
      return true;
    } catch {
      return false;
    }
  };
  let kept: Map<string, Verdict> | undefined;
  const known = () => (kept ??= usable() ? readVerdicts(file, parser) : new Map());
  const added = new Map<string, Verdict>();
  return {
    get: (key) => added.get(key) ?? known().get(key),
    put(key, verdict) {
      if (known().get(key) === undefined) added.set(key, verdict);
    },
    save() {
      if (added.size === 0 || !usable()) return;
      // In the order they were first written, so that past the bound the oldest go.
      const merged = new Map([...readVerdicts(file, parser), ...added]);
      const entries = [...merged].slice(-MAX_ENTRIES).map(([key, v]) => [key, v === null ? null : [v.message, v.offset]]);
      try {
        if (!existsSync(join(folder, '.gitignore'))) writeFileAtomic(join(folder, '.gitignore'), '*\n');
        writeFileAtomic(file, `${JSON.stringify({ version: VERSION, parser, verdicts: Object.fromEntries(entries) })}\n`);
        added.clear();
      } catch {
        // Read-only checkout, full disk: the next run parses those texts again.
      }
    },
  };
}

function readVerdicts(file: string, parser: string): Map<string, Verdict> {
  const out = new Map<string, Verdict>();
  let doc: unknown;
  try {
    doc = JSON.parse(readRegularFile(file, file, MAX_BYTES));
  } catch {
    return out;
  }
  if (typeof doc !== 'object' || doc === null) return out;
  const { version, parser: by, verdicts } = doc as { version?: unknown; parser?: unknown; verdicts?: unknown };
  if (version !== VERSION || by !== parser || typeof verdicts !== 'object' || verdicts === null || Array.isArray(verdicts)) return out;
  for (const [key, v] of Object.entries(verdicts)) {
    if (!/^[0-9a-f]{32}$/.test(key)) continue;
    if (v === null) out.set(key, null);
    else if (Array.isArray(v) && typeof v[0] === 'string' && Number.isInteger(v[1]) && (v[1] as number) >= 0)
      out.set(key, { message: v[0], offset: v[1] as number });
  }
  return out;
}
