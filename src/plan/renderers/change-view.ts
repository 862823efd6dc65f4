import fastJsonPatch from 'fast-json-patch';
import { splitPointer, valueAt, type JsonObject } from '../../json.js';
import type { Change, Plan } from '../diff.js';
import { fieldChanges, type FieldChange } from './field-changes.js';

/** What one command would do about a change that needs a decision. */
interface Advice {
  /** hogsync arguments, e.g. `push --force`. */
  command: string;
  does: string;
}

/**
 * What a renderer shows of one change, decided once for every format: which two versions
 * are compared and under which names, the differing fields, or the whole spec of a
 * resource that push would write from scratch.
 */
export interface ChangeView {
  /**
   * `arrow`: `old → new`, the reader's question being "what changes?" (update: PostHog →
   * file; drift: last sync → PostHog). `sides`: the two versions side by side under their
   * names, when neither is the old one (conflict: file and PostHog).
   */
  style: 'arrow' | 'sides';
  /** Names of the two versions: `before` is the old (arrow) or first (sides) one. */
  before: string;
  after: string;
  /** Says what the fields compare when it is not what push would do (drift, conflict), e.g. "in PostHog (last sync → now)". */
  heading?: string;
  fields: FieldChange[];
  /** A resource push would write whole (create, restore): the spec it sends. */
  spec?: JsonObject;
  /** What push and pull would each do (drift, conflict). */
  advice: readonly Advice[];
}

const PUSH_WAY: Omit<ChangeView, 'fields'> = { style: 'arrow', before: 'PostHog', after: 'file', advice: [] };

export function viewOf(change: Change, writer: Plan['writer'] = 'push'): ChangeView {
  const push = (does: string): Advice => ({ command: `${writer} --force`, does });
  // pull takes PostHog's side in the work tree; a restore's or a copy's files are not the work tree.
  const pull = (does: string): Advice[] => (writer === 'push' ? [{ command: 'pull --force', does }] : []);
  const { local, remote } = change.entry ?? {};
  const codePaths = new Set([...(local ? codePathsOf(change, local.spec) : []), ...(remote ? codePathsOf(change, remote.spec) : [])]);
  switch (change.action) {
    case 'create':
    case 'restore': {
      const spec = pushed(change, undefined);
      return { ...PUSH_WAY, fields: [], ...(spec ? { spec } : {}) };
    }
    case 'update':
    case 'adopt':
      return { ...PUSH_WAY, fields: fieldChanges(remote?.spec, pushed(change, remote?.spec), codePaths) };
    case 'drift':
      if (!remote)
        return {
          ...PUSH_WAY,
          fields: [],
          advice: [push('re-creates it from the file'), ...(writer === 'push' ? [{ command: 'pull', does: 'removes the file' }] : [])],
        };
      // The file is at the base: comparing it with PostHog shows what PostHog did since.
      return {
        style: 'arrow',
        before: 'last sync',
        after: 'PostHog',
        heading: 'in PostHog (last sync → now)',
        fields: fieldChanges(local?.spec, remote.spec, codePaths),
        advice: [
          push('reverts PostHog to the file'),
          ...(writer === 'push' ? [{ command: 'pull', does: "takes PostHog's version into the file" }] : []),
        ],
      };
    case 'conflict': {
      if (!remote) return { ...PUSH_WAY, fields: [], advice: [push('re-creates it from the file'), ...pull('removes the file')] };
      if (!local)
        return {
          ...PUSH_WAY,
          fields: [],
          advice: [
            { command: `${writer} --force --prune`, does: 'deletes it in PostHog' },
            ...pull("writes PostHog's version back to the file"),
          ],
        };
      return {
        style: 'sides',
        before: 'file',
        after: 'PostHog',
        heading: 'the file and PostHog differ',
        fields: withBase(fieldChanges(local.spec, remote.spec, codePaths), change.base),
        advice: [push("writes the file's version to PostHog"), ...pull("takes PostHog's version into the file")],
      };
    }
    default:
      return { ...PUSH_WAY, fields: [] };
  }
}

/** A conflict's values at the last sync, on the fields whose base git still held (engine/conflict-bases.ts). */
function withBase(fields: FieldChange[], base: JsonObject | undefined): FieldChange[] {
  if (!base) return fields;
  return fields.map((f) => {
    const top = splitPointer(f.path)[1];
    if (f.type !== 'value' || top === undefined || !(top in base)) return f;
    const value = valueAt({ spec: base }, f.path);
    return { ...f, baseKnown: true, ...(value !== undefined ? { base: value } : {}) };
  });
}

/** Pointers of the code fields a kind declares, rooted at /spec. */
function codePathsOf(change: Change, spec: JsonObject): string[] {
  return change.kind.codePaths(spec).map((p) => `/spec${p}`);
}

/**
 * The spec push would leave in PostHog: its patch applied to the remote spec. Usually the
 * file's spec; with --rotate-secrets it shows the secret inputs sent again.
 */
function pushed(change: Change, remote: JsonObject | undefined): JsonObject | undefined {
  if (!change.patch) return change.entry?.local?.spec;
  try {
    const doc = fastJsonPatch.applyPatch(remote ? { spec: remote } : {}, change.patch, false, false).newDocument as { spec?: JsonObject };
    return doc.spec;
  } catch {
    // A patch that does not apply to what we hold (a hand-made plan): the file is what push sends.
    return change.entry?.local?.spec;
  }
}
