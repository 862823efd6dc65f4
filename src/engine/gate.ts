import { InvalidFilesError } from '../errors.js';
import { Syntax } from '../kinds/syntax.js';
import type { ResourceFile } from '../store/resource-files.js';
import { sortProblems, validateFiles } from '../store/validate.js';

/**
 * The checks of `hogsync validate`, run on the files a command is about to act on, before
 * its first request: each kind's JSON Schema (unknown fields with a "did you mean"), Hog and
 * HogQL syntax with PostHog's own parser, references between files, literal secrets. A
 * misspelled field would otherwise be dropped silently and its value blanked in PostHog.
 */
export async function gateFiles(files: readonly ResourceFile[]): Promise<void> {
  if (files.length === 0) return;
  const candidates = files.map((f) => ({ kind: f.kind, display: f.display, fileKey: f.key, parsed: f.parsed }));
  const problems = sortProblems(validateFiles(candidates, await Syntax.load()));
  if (problems.length > 0) throw new InvalidFilesError(problems.map((p) => `${p.where}: ${p.message}`));
}
