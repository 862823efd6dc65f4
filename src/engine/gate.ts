import { availableParallelism } from 'node:os';
import type { LoadedConfig } from '../config/load.js';
import { InvalidFilesError } from '../errors.js';
import { keyVariablesOf } from '../config/target.js';
import { isObject, valueAt, type JsonObject } from '../json.js';
import { VAR } from '../kinds/var-syntax.js';
import { KEY_ADVICE, keyCarrier } from '../plan/key-guard.js';
import type { VarSources } from '../plan/vars.js';
import { KINDS, type KindDef } from '../kinds/index.js';
import type { ResourceFile } from '../store/resource-files.js';
import { applyOverride } from '../plan/overrides.js';
import { checkSchema } from '../store/schemas.js';
import { sortProblems, type Problem } from '../store/validate.js';
import type { ParsedYaml } from '../store/yaml.js';
import { FileChecks } from './file-checks.js';

export interface GateInput {
  files: readonly ResourceFile[];
  /** The kinds read (references of every file resolve among them). */
  kinds: readonly KindDef[];
  config: LoadedConfig | undefined;
  env: NodeJS.ProcessEnv;
  /** The repository's root, where .hogsync/cache/ keeps parse verdicts. */
  root: string;
}

export interface Gate {
  /**
   * Problems of files PostHog holds as they are (unchanged since the last sync), one line
   * each with file:line:col: told, never a reason to stop a run that does not send them.
   */
  warnings: string[];
  /** The same problems by file (ResourceFile.display), for a push that would send one of those files all the same. */
  held: ReadonlyMap<string, string[]>;
  /**
   * Parses the Hog and HogQL of the files `changed` names (verdicts kept on disk first, the
   * rest in `threads` worker threads) and refuses the run with file:line:col if one does not parse.
   */
  settle(changed: (f: ResourceFile) => boolean, threads: number): Promise<void>;
  /** Ends the parse, if it is still at work. */
  stop(): void;
}

/**
 * The checks of `hogsync validate`, for a command that is about to act on the files: each
 * kind's JSON Schema (unknown fields with a "did you mean"), references between files,
 * literal secrets, then Hog and HogQL syntax with PostHog's own parser. A misspelled field
 * would otherwise be dropped silently and its value blanked in PostHog.
 *
 * It judges what the run would change. The checks that need no parser run here, on every
 * file. A problem blocks the run, unless its file is as it was at the last sync (`held`:
 * PostHog holds it as it is) and the problem is one PostHog itself may hold: then it is a
 * warning, since PostHog already took that file (an insight saved in the UI with an unknown
 * `{variables.x}`, or whose variable was deleted in the UI, must not stop a push of another
 * file), unless the push sends it all the same (heldProblemsSent). What only an edit makes
 * (an unknown field, which the comparison drops, a literal secret) always blocks. Parsing,
 * tens of milliseconds a text, is left to `settle`, for the files that changed.
 */
export async function openGate(input: GateInput, held: (f: ResourceFile) => boolean): Promise<Gate> {
  const { files } = input;
  const byDisplay = new Map(files.map((f) => [f.display, f]));
  const candidates = files.map((f) => ({ kind: f.kind, display: f.display, fileKey: f.key, parsed: f.parsed }));
  const checks = new FileChecks(candidates, input.root);
  const problems = [
    ...checks.problems,
    ...overrideProblems(input.config, input.kinds, candidates),
    ...keyProblems(input.config, candidates, input.env),
  ];
  const heldFiles = new Map<string, boolean>();
  const isHeldFile = (display: string) => {
    let answer = heldFiles.get(display);
    if (answer === undefined) heldFiles.set(display, (answer = held(byDisplay.get(display) as ResourceFile)));
    return answer;
  };
  // A problem of hogsync.yaml (an override) concerns every run of its environment.
  const isHeld = (p: Problem) => p.file !== undefined && p.postHogMayHold === true && isHeldFile(p.file);
  const blocking = problems.filter((p) => !isHeld(p));
  if (blocking.length > 0) {
    // The run stops here: the syntax of the changed files is told with the rest, all at once.
    const changed = candidates.filter((c) => !isHeldFile(c.display));
    const syntax = await checks.check(changed, availableParallelism()).finally(() => checks.stop());
    const more = syntax.filter((p) => !blocking.some((b) => b.where === p.where && b.message === p.message));
    throw new InvalidFilesError(sortProblems([...blocking, ...more]).map(line));
  }
  const sorted = sortProblems(problems);
  const byFile = new Map<string, string[]>();
  for (const p of sorted) byFile.set(p.file as string, [...(byFile.get(p.file as string) ?? []), line(p)]);
  return {
    warnings: sorted.map((p) => `${line(p)}; the file is as last synced, so PostHog already holds it and this run goes on`),
    held: byFile,
    async settle(changed, threads) {
      const found = await checks.check(
        candidates.filter((c) => changed(byDisplay.get(c.display) as ResourceFile)),
        threads,
      );
      if (found.length > 0) throw new InvalidFilesError(sortProblems(found).map(line));
    },
    stop: () => checks.stop(),
  };
}

/** Every check on files that all go to PostHog (a restore's commit): any problem stops the run. */
export async function gateAll(input: GateInput, threads: number): Promise<void> {
  const gate = await openGate(input, () => false);
  try {
    await gate.settle(() => true, threads);
  } finally {
    gate.stop();
  }
}

/**
 * The problems of held files that a push sends all the same (`sent`: their paths; a drift
 * overwritten with --force, a resource deleted in PostHog brought back): those stop it.
 */
export function heldProblemsSent(held: ReadonlyMap<string, string[]>, sent: Iterable<string>): string[] {
  return [...new Set(sent)].flatMap((file) => held.get(file) ?? []);
}

function line(p: Problem): string {
  return `${p.where}: ${p.message}`;
}

/**
 * Every `${VAR}` of the files that would bring a personal API key into a request, in any
 * environment of hogsync.yaml: a key variable itself, a `vars:` entry set from one, or a
 * variable whose value is a key this process holds. Located at the `${` in the file.
 */
export function keyProblems(
  config: LoadedConfig | undefined,
  files: ReadonlyArray<{ kind: KindDef; display: string; parsed: ParsedYaml }>,
  env: NodeJS.ProcessEnv,
): Problem[] {
  const keyVariables = keyVariablesOf(config);
  const environments = Object.entries(config?.config.environments ?? { default: {} });
  const sources: VarSources[] = environments.map(([name, e]) => ({
    env,
    vars: Object.fromEntries(Object.entries(e.vars ?? {}).map(([k, v]) => [k, String(v)])),
    environment: name,
    keyVariables,
  }));
  const problems: Problem[] = [];
  for (const f of files) {
    const doc = f.parsed.value;
    if (!isObject(doc) || !isObject(doc.spec)) continue;
    const spec = doc.spec;
    const paths = new Set([...f.kind.varPaths(spec), ...f.kind.secrets(spec).map((s) => `${s.path}/value`)]);
    for (const path of paths) {
      const value = valueAt(spec, path);
      if (typeof value !== 'string') continue;
      for (const m of value.matchAll(VAR)) {
        const name = m[1];
        const why = name === undefined ? undefined : sources.map((s) => keyCarrier(name, s)).find((w) => w !== undefined);
        if (why)
          problems.push({ where: f.parsed.whereIn(`/spec${path}`, m.index ?? 0), message: `${why}; ${KEY_ADVICE}`, file: f.display });
      }
    }
  }
  return problems;
}

/**
 * Every environment's `overrides:` in hogsync.yaml checked against the files: the resource
 * named exists, and the spec with the override applied is still a valid spec (no unknown
 * field, no wrong type). Problems are located in hogsync.yaml.
 */
export function overrideProblems(
  config: LoadedConfig | undefined,
  kinds: readonly KindDef[],
  files: ReadonlyArray<{ kind: KindDef; fileKey: string; parsed: ParsedYaml }>,
): Problem[] {
  if (!config) return [];
  const problems: Problem[] = [];
  const byRef = new Map(files.map((f) => [`${f.kind.folder}/${f.fileKey}`, f]));
  for (const [env, cfg] of Object.entries(config.config.environments)) {
    for (const [ref, patch] of Object.entries(cfg.overrides ?? {})) {
      // Overrides of kinds this run does not look at are someone else's business.
      const folder = ref.slice(0, ref.indexOf('/'));
      if (!kinds.some((k) => k.folder === folder) && KINDS.some((k) => k.folder === folder)) continue;
      const at = (p = '') =>
        config.parsed.where(`/environments/${env}/overrides/${ref.replace(/~/g, '~0').replace(/\//g, '~1')}${p}`, p === '');
      const file = byRef.get(ref);
      if (!file) {
        problems.push({
          where: at(),
          message: `overrides "${ref}", which has no file: name a resource as <folder>/<key>, its file's path under the resource folder without .yaml`,
        });
        continue;
      }
      const doc = file.parsed.value;
      if (!isObject(doc) || !isObject(doc.spec)) continue;
      const merged = { ...doc, spec: applyOverride(doc.spec, patch as JsonObject) };
      for (const p of checkSchema(file.kind.schema, merged)) {
        if (!p.pointer.startsWith('/spec')) continue;
        problems.push({ where: at(p.pointer.slice('/spec'.length)), message: `environment ${env}, override of ${ref}: ${p.message}` });
      }
    }
  }
  return problems;
}
