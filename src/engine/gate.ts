import type { LoadedConfig } from '../config/load.js';
import { InvalidFilesError } from '../errors.js';
import { isObject, type JsonObject } from '../json.js';
import { KINDS, type KindDef } from '../kinds/index.js';
import { Syntax } from '../kinds/syntax.js';
import type { ResourceFile } from '../store/resource-files.js';
import { applyOverride } from '../plan/overrides.js';
import { checkSchema } from '../store/schemas.js';
import { sortProblems, validateFiles, type Problem } from '../store/validate.js';
import type { ParsedYaml } from '../store/yaml.js';

/**
 * The checks of `hogsync validate`, run on the files a command is about to act on, before
 * its first request: each kind's JSON Schema (unknown fields with a "did you mean"), Hog and
 * HogQL syntax with PostHog's own parser, references between files, literal secrets. A
 * misspelled field would otherwise be dropped silently and its value blanked in PostHog.
 */
export async function gateFiles(files: readonly ResourceFile[], kinds: readonly KindDef[], config?: LoadedConfig): Promise<void> {
  if (files.length === 0) return;
  const candidates = files.map((f) => ({ kind: f.kind, display: f.display, fileKey: f.key, parsed: f.parsed }));
  const problems = sortProblems([...validateFiles(candidates, await Syntax.load()), ...overrideProblems(config, kinds, candidates)]);
  if (problems.length > 0) throw new InvalidFilesError(problems.map((p) => `${p.where}: ${p.message}`));
}

/**
 * Every environment's `overrides:` in hogsync.yaml checked against the files: the resource
 * named exists, and the spec with the override applied is still a valid spec (no unknown
 * field, no wrong type). Problems are located in hogsync.yaml.
 */
export function overrideProblems(config: LoadedConfig | undefined, kinds: readonly KindDef[], files: ReadonlyArray<{ kind: KindDef; fileKey: string; parsed: ParsedYaml }>): Problem[] {
  if (!config) return [];
  const problems: Problem[] = [];
  const byRef = new Map(files.map((f) => [`${f.kind.folder}/${f.fileKey}`, f]));
  for (const [env, cfg] of Object.entries(config.config.environments)) {
    for (const [ref, patch] of Object.entries(cfg.overrides ?? {})) {
      // Overrides of kinds this run does not look at are someone else's business.
      const folder = ref.slice(0, ref.indexOf('/'));
      if (!kinds.some((k) => k.folder === folder) && KINDS.some((k) => k.folder === folder)) continue;
      const at = (p = '') => config.parsed.where(`/environments/${env}/overrides/${ref.replace(/~/g, '~0').replace(/\//g, '~1')}${p}`, p === '');
      const file = byRef.get(ref);
      if (!file) {
        problems.push({ where: at(), message: `overrides "${ref}", which has no file: name a resource as <folder>/<key>, its file's path under the resource folder without .yaml` });
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
