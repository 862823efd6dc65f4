// What the engine knows of kinds: the registry, and the one translation of references between them.
export * from './registry.js';
export { foreignIds, idTargets, keyRefs, pairingHash, pairingHashes, readsAsId, toIds, toKeys, wholeHash } from './references.js';
export type { CheckContext, ForeignRef, KindDef, Link, ManagedRef, RefResolver, RemoteId, SecretSlot } from './types.js';
