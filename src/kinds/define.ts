import type { KindDef, KindSpec } from './types.js';

/** Completes a kind module's declaration with the defaults of the optional members. */
export function defineKind(spec: KindSpec): KindDef {
  return {
    lookupFields: [],
    listColumns: [],
    naturalKeyName: 'name',
    label: spec.folder.replace(/-/g, ' '),
    displayName: (raw) => (typeof raw.name === 'string' ? raw.name : null),
    listShape: 'complete',
    ...spec,
    // A kind refers at least to the kinds it depends on.
    refersTo: [...new Set([...spec.dependsOn, ...(spec.refersTo ?? [])])],
    capabilities: { test: false, health: false, icons: false, ...spec.capabilities },
  };
}
