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

/**
 * The checks of `hogsync validate`, run on the files a command is about to act on, before
 * its first request: each kind's JSON Schema (unknown fields with a "did you mean"), Hog and
 * HogQL syntax with PostHog's own parser, references between files, literal secrets. A
 * misspelled field would otherwise be dropped silently and its value blanked in PostHog.
 */
export async function gateFiles(files: readonly ResourceFile[], kinds: readonly KindDef[], config: LoadedConfig | undefined, env: NodeJS.ProcessEnv, root: string): Promise<void> {
  if (files.length === 0) return;
  const candidates = files.map((f) => ({ kind: f.kind, display: f.display, fileKey: f.key, parsed: f.parsed }));
  const checks = new FileChecks(candidates, root);
  const problems = sortProblems([...(await checks.check(candidates, availableParallelism())), ...overrideProblems(config, kinds, candidates), ...keyProblems(config, candidates, env)]);
  if (problems.length > 0) throw new InvalidFilesError(problems.map((p) => `${p.where}: ${p.message}`));
}

/**
 * Every `${VAR}` of the files that would bring a personal API key into a request, in any
 * environment of hogsync.yaml: a key variable itself, a `vars:` entry set from one, or a
 * variable whose value is a key this process holds. Located at the `${` in the file.
 */
export function keyProblems(config: LoadedConfig | undefined, files: ReadonlyArray<{ kind: KindDef; display: string; parsed: ParsedYaml }>, env: NodeJS.ProcessEnv): Problem[] {
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
        if (why) problems.push({ where: f.parsed.whereIn(`/spec${path}`, m.index ?? 0), message: `${why}; ${KEY_ADVICE}`, file: f.display });
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
