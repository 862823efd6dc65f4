import type { KindDef, KindSpec } from './types.js';

/** Completes a kind module's declaration with the defaults of the optional members. */
export function defineKind(spec: KindSpec): KindDef {
  return {
    lookupFields: [],
    listColumns: [],
    naturalKeyName: 'name',
    label: spec.folder.replace(/-/g, ' '),
    displayName: (raw) => (typeof raw.name === 'string' ? raw.name : null),
    ...spec,
    capabilities: { test: false, health: false, icons: false, ...spec.capabilities },
  };
}
