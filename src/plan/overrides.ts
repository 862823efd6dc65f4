import { isObject, pointer, setValueAt, valueAt, type Json, type JsonObject } from '../json.js';

/**
 * An environment's `overrides:` entry for one resource (hogsync.yaml): a JSON merge patch
 * (RFC 7386) applied to the file's spec in that environment only. `null` removes a field.
 */
export function applyOverride(spec: JsonObject, patch: JsonObject): JsonObject {
  return merge(spec, patch) as JsonObject;
}

function merge(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = merge(out[k], v);
  }
  return out;
}

/** JSON Pointers of the values an override sets or removes (its leaves). */
function overriddenPaths(patch: JsonObject, base: (string | number)[] = []): string[] {
  return Object.entries(patch).flatMap(([k, v]) =>
    isObject(v) && Object.keys(v).length > 0 ? overriddenPaths(v, [...base, k]) : [pointer([...base, k])],
  );
}

/**
 * What a pull from an environment with an override writes: PostHog's spec with every
 * overridden value put back as the shared file had it, so the file never takes an
 * environment's exception.
 */
export function withoutOverride(remote: JsonObject, shared: JsonObject, patch: JsonObject): JsonObject {
  const out = structuredClone(remote);
  for (const path of overriddenPaths(patch)) {
    const before = valueAt(shared, path);
    const segs = path.split('/').slice(1);
    const parentPath = segs.length > 1 ? `/${segs.slice(0, -1).join('/')}` : '';
    const parent = valueAt(out, parentPath);
    if (!isObject(parent)) continue;
    const last = (segs[segs.length - 1] ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
    if (before === undefined) delete parent[last];
    else setValueAt(out, path, structuredClone(before));
  }
  return out;
}
