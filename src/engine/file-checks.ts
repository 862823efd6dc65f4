import { SyntaxTable } from '../kinds/syntax-table.js';
import { parseInWorkers, parserVersion, type ParseJob } from '../kinds/syntax-workers.js';
import { syntaxCache } from '../store/syntax-cache.js';
import { validateFiles, type CandidateFile, type Problem } from '../store/validate.js';

/**
 * validate's checks of a set of files in two steps. Everything that needs no parser runs at
 * once, for every file, and writes down each file's Hog and HogQL texts; then `check` parses
 * the texts of the files that matter: verdicts kept in .hogsync/cache/ first, the rest in
 * worker threads (PostHog's parser takes tens of milliseconds a text).
 */
export class FileChecks {
  private readonly table = new SyntaxTable();
  /** Problems that need no parser, of every file. */
  readonly problems: Problem[];
  private job: ParseJob | undefined;

  constructor(
    private readonly files: CandidateFile[],
    private readonly root: string,
  ) {
    this.problems = validateFiles(files, (f) => this.table.checker(f.display));
  }

  /** Every problem of `files`, syntax included, parsing with up to `threads` workers. */
  async check(files: readonly CandidateFile[], threads: number): Promise<Problem[]> {
    const names = new Set(files.map((f) => f.display));
    const codes = this.table.unknown(names);
    if (codes.length > 0) {
      const cache = syntaxCache(this.root, parserVersion());
      const missing = codes.filter((c) => {
        const kept = cache.get(c.key);
        if (kept !== undefined) this.table.learn(c.key, kept);
        return kept === undefined;
      });
      this.job = parseInWorkers(missing, threads);
      for (const [key, verdict] of await this.job.verdicts) {
        this.table.learn(key, verdict);
        cache.put(key, verdict);
      }
      cache.save();
    }
    // Files with a text that does not parse are checked again, now that the verdicts are known.
    const failed = new Set(files.filter((f) => this.table.failed(f.display)));
    const again = failed.size > 0 ? validateFiles(this.files, (f) => this.table.checker(f.display), failed) : [];
    const redone = new Set([...failed].map((f) => f.display));
    return [...this.problems.filter((p) => p.file !== undefined && names.has(p.file) && !redone.has(p.file)), ...again];
  }

  /** Ends the parsing workers, if any are still at work (a run that stops first does not wait for them). */
  stop(): void {
    this.job?.stop();
  }
}
