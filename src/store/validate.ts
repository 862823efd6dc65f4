import { relative } from 'node:path';
import { FileError } from '../errors.js';
import { isObject, valueAt, type Json, type JsonObject } from '../json.js';
import { keyRefs, kindByName, localNatural, readsAsId, type CheckContext, type KindDef } from '../kinds/index.js';
import type { SyntaxCheck } from '../kinds/syntax.js';
import { VAR_NAME, VAR_REFERENCE } from '../kinds/var-syntax.js';
import { maxFileBytes, readRegularFile } from './file-guard.js';
import { listResourceFiles } from './resource-files.js';
import { checkSchema } from './schemas.js';
import { parseYaml, type ParsedYaml } from './yaml.js';

/** One file as validate sees it: parsed, but not yet trusted. */
export interface CandidateFile {
  kind: KindDef;
  /** Path for messages. */
  display: string;
  /** File name without `.yaml`. */
  fileKey: string;
  parsed: ParsedYaml;
}

export interface Problem {
  /** `path:line:col` */
  where: string;
  message: string;
  /** The resource file it is in (CandidateFile.display); absent for problems of hogsync.yaml. */
  file?: string;
  /**
   * What PostHog itself may hold, in a file pull wrote (code PostHog accepted, a reference to
   * something deleted since), as opposed to what only an edit makes (an unknown field, a
   * literal secret, a key that is not the file name): see engine/gate.ts.
   */
  postHogMayHold?: true;
}

/**
 * Every check that needs no PostHog: the JSON Schema of each kind, key = file name,
 * embedded Hog and HogQL parsed by PostHog's parser (errors located in the YAML file),
 * references to files that exist, no literal secrets, well-formed `${VAR}`s, and no two
 * files that PostHog would refuse as duplicates. All problems, not the first.
 * `syntax` answers for each file; `only` limits the checks to some files, with every file
 * still counting as what references may name.
 */
export function validateFiles(
  files: CandidateFile[],
  syntax: (f: CandidateFile) => SyntaxCheck,
  only?: ReadonlySet<CandidateFile>,
): Problem[] {
  const problems: Problem[] = [];
  const specOf = (f: CandidateFile): JsonObject | undefined => {
    const doc = f.parsed.value;
    return isObject(doc) && isObject(doc.spec) ? doc.spec : undefined;
  };
  const known = new Map<string, { keys: Set<string>; naturals: Set<string> }>();
  const specs = new Map<string, JsonObject>();
  for (const f of files) {
    const spec = specOf(f);
    if (!spec) continue;
    specs.set(`${f.kind.kind}/${f.fileKey}`, spec);
    const k = known.get(f.kind.kind) ?? { keys: new Set<string>(), naturals: new Set<string>() };
    known.set(f.kind.kind, k);
    k.keys.add(f.fileKey);
    const natural = localNatural(f.kind, f.fileKey, spec);
    if (natural !== undefined) k.naturals.add(natural);
  }
  const knownOf = (kind: string) => known.get(kind) ?? { keys: new Set<string>(), naturals: new Set<string>() };
  // Kinds that adopt by natural key cannot have two resources with it (a variable's code_name): the first file has it.
  const naturalOwners = new Map<string, string>();
  for (const f of files) {
    const spec = specOf(f);
    const natural = spec && f.kind.autoAdopt ? localNatural(f.kind, f.fileKey, spec) : undefined;
    if (natural !== undefined && !naturalOwners.has(`${f.kind.kind}/${natural}`)) naturalOwners.set(`${f.kind.kind}/${natural}`, f.display);
  }

  // Two files of one kind under one key (`wau.yaml` and `wau.yml`): each is named, with the other.
  const byKey = new Map<string, CandidateFile[]>();
  for (const f of files) byKey.set(`${f.kind.kind}/${f.fileKey}`, [...(byKey.get(`${f.kind.kind}/${f.fileKey}`) ?? []), f]);
  for (const group of byKey.values()) {
    if (group.length < 2) continue;
    for (const f of only ? group.filter((x) => only.has(x)) : group) {
      const others = group
        .filter((o) => o !== f)
        .map((o) => o.display)
        .join(', ');
      problems.push({
        where: f.parsed.where('/key'),
        message: `key "${f.fileKey}" is also the key of ${others}: keep one file per key, and rename or remove the other`,
        file: f.display,
      });
    }
  }

  for (const f of only ? files.filter((x) => only.has(x)) : files) {
    const ctx: CheckContext = { syntax: syntax(f), known: knownOf, specOf: (kind, key) => specs.get(`${kind}/${key}`) };
    const add = (pointer: string, message: string, opts: { atKey?: boolean; offset?: number; postHogMayHold?: true } = {}) =>
      problems.push({
        where: opts.offset !== undefined ? f.parsed.whereIn(pointer, opts.offset) : f.parsed.where(pointer, opts.atKey),
        message,
        file: f.display,
        ...(opts.postHogMayHold ? { postHogMayHold: true as const } : {}),
      });
    const doc: Json = f.parsed.value;
    for (const p of checkSchema(f.kind.schema, doc)) add(p.pointer, p.message, { atKey: p.atKey === true });
    if (isObject(doc) && typeof doc.key === 'string' && doc.key !== f.fileKey) {
      add('/key', `key "${doc.key}" does not match the file name "${f.fileKey}"; rename the file or fix the key`);
    }
    // References name resources by key and foreign objects by id: a key that looks like an id is read as one.
    if (readsAsId(f.kind, f.fileKey))
      add(
        '/key',
        `key "${f.fileKey}" would read as an id where other files name it; rename it: hogsync mv ${f.kind.cliName}/${f.fileKey} ${f.kind.cliName}-${f.fileKey}`,
      );
    const spec = specOf(f);
    if (!spec) continue;

    for (const slot of f.kind.secrets(spec)) {
      const value = valueAt(spec, `${slot.path}/value`);
      if (value !== undefined && !(typeof value === 'string' && VAR_REFERENCE.test(value))) {
        add(
          `/spec${slot.path}/value`,
          `secret input "${slot.name}" holds a literal value; secrets never go in files: write value: \${SOME_VAR} or {secret: true}`,
        );
      }
    }
    const varStrings = [...f.kind.varPaths(spec), ...f.kind.secrets(spec).map((s) => `${s.path}/value`)];
    for (const path of varStrings) {
      const value = valueAt(spec, path);
      if (typeof value !== 'string') continue;
      for (const m of value.matchAll(/\$\$\{|\$\{([^}]*)(\}?)/g)) {
        if (m[0] === '$${') continue;
        if (m[2] !== '}' || !VAR_NAME.test(m[1] ?? '')) {
          add(
            `/spec${path}`,
            `malformed variable reference "${m[0]}": write \${NAME} with letters, digits and _ (or $\${ for a literal \${)`,
            { offset: m.index ?? 0 },
          );
        }
      }
    }
    for (const ref of keyRefs(f.kind, spec)) {
      if (knownOf(ref.kind).keys.has(ref.key)) continue;
      const target = kindByName(ref.kind);
      // An entry named by the key (an insight's variables) is pointed at by its name.
      add(
        `/spec${ref.path}`,
        `${target.label.replace(/s$/, '')} "${ref.key}" has no file under ${target.folder}/: add it, or name one that exists`,
        { atKey: isObject(valueAt(spec, ref.path)), postHogMayHold: true },
      );
    }
    for (const p of f.kind.check?.(spec, ctx, f.fileKey) ?? [])
      add(`/spec${p.pointer}`, p.message, { ...(p.offset !== undefined ? { offset: p.offset } : {}), postHogMayHold: true });

    const natural = f.kind.autoAdopt ? localNatural(f.kind, f.fileKey, spec) : undefined;
    const owner = natural === undefined ? undefined : naturalOwners.get(`${f.kind.kind}/${natural}`);
    if (owner !== undefined && owner !== f.display)
      add('/spec/name', `this ${f.kind.kind}'s ${f.kind.naturalKeyName} "${natural}" is also ${owner}'s; PostHog allows one per project`);
  }
  return problems;
}

/** Problems in reading order: by file, then line and column. */
export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort(byLocation);
}

function byLocation(a: Problem, b: Problem): number {
  const [fa, la, ca] = split(a.where);
  const [fb, lb, cb] = split(b.where);
  return fa < fb ? -1 : fa > fb ? 1 : la - lb || ca - cb;
}

function split(where: string): [string, number, number] {
  const m = /^(.*):(\d+):(\d+)$/.exec(where);
  return m ? [m[1] as string, Number(m[2]), Number(m[3])] : [where, 0, 0];
}

/** Parses every file of the given kinds; files that are not YAML (or not regular files) are problems, not errors. */
export function readCandidates(dir: string, kinds: readonly KindDef[], root: string): { files: CandidateFile[]; problems: Problem[] } {
  const files: CandidateFile[] = [];
  const problems: Problem[] = [];
  const add = (error: FileError) => problems.push({ where: error.where, message: error.problem });
  for (const kind of kinds) {
    const listed = listResourceFiles(dir, kind, root);
    listed.problems.forEach(add);
    for (const path of listed.paths) {
      const display = relative(root, path) || path;
      try {
        const parsed = parseYaml(readRegularFile(path, display, maxFileBytes(), true), display);
        files.push({ kind, display, fileKey: path.replace(/^.*[\\/]/, '').replace(/\.ya?ml$/, ''), parsed });
      } catch (error) {
        if (!(error instanceof FileError)) throw error;
        add(error);
      }
    }
  }
  return { files, problems };
}
