// Optional JSON-file persistence of the whole store: read once at start, rewritten atomically
// (temp file + rename) after every committed write.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { PersistedState } from './store.js';

export class StateFileError extends Error {}

export function loadState(file: string): PersistedState | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new StateFileError(`emulator state file ${file} is not valid JSON (${(e as Error).message}); move it away to start fresh`);
  }
  const state = parsed as Partial<PersistedState>;
  if (state.version !== 1 || !Array.isArray(state.projects) || typeof state.uuid_counter !== 'number') {
    throw new StateFileError(`emulator state file ${file} is not a version 1 emulator state; move it away to start fresh`);
  }
  return state as PersistedState;
}

export function saveState(file: string, state: PersistedState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}
