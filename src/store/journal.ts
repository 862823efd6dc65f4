import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { FileError } from '../errors.js';
import { isObject, type JsonObject } from '../json.js';
import type { Binding, PendingCreate } from '../model.js';
import { checkSchema } from './schemas.js';
import { bindingJson, bindingOf } from './state-doc.js';

/** One change to the state, as appended while a run works. */
export type JournalEntry =
  | { op: 'bind'; ref: string; binding: Binding }
  | { op: 'unbind'; ref: string }
  | { op: 'pending'; ref: string; pending: PendingCreate }
  | { op: 'settled'; ref: string }
  | { op: 'tombstone'; ref: string; binding: Binding }
  | { op: 'revived'; ref: string }
  /** The key changed (hogsync mv): what the state holds under `ref` moves to `to`. */
  | { op: 'rename'; ref: string; to: string };

const OPS = new Set(['bind', 'unbind', 'pending', 'settled', 'tombstone', 'revived', 'rename']);
const REF = /^[A-Za-z]+\/[a-z0-9][a-z0-9_-]{0,99}$/;

/**
 * `<env>.journal`: every state change of a run, one JSON line each, appended before the
 * state file is rewritten, so that a killed run loses nothing that it did.
 */
export class Journal {
  private open = false;

  constructor(
    readonly path: string,
    private readonly display: string,
  ) {}

  append(entry: JournalEntry): void {
    if (!this.open) mkdirSync(dirname(this.path), { recursive: true });
    const { binding, ...rest } = entry as JournalEntry & { binding?: Binding };
    const line = binding ? { ...rest, binding: bindingJson(binding) } : rest;
    appendFileSync(this.path, `${JSON.stringify(line)}\n`);
    this.open = true;
  }

  exists(): boolean {
    return this.open || existsSync(this.path);
  }

  remove(): void {
    rmSync(this.path, { force: true });
    this.open = false;
  }

  /**
   * The entries a killed run left. Its last line may be cut short, which loses only the
   * change it was writing; any other unreadable line is an error that names it, because
   * skipping it could forget a resource the run created.
   */
  read(): JournalEntry[] {
    if (!existsSync(this.path)) return [];
    const lines = readFileSync(this.path, 'utf8').split('\n');
    while (lines.length > 0 && lines[lines.length - 1]?.trim() === '') lines.pop();
    const entries: JournalEntry[] = [];
    lines.forEach((line, i) => {
      if (!line.trim()) return;
      const torn = i === lines.length - 1;
      let parsed: unknown;
      try {
        parsed = JSON.parse(line);
      } catch {
        if (torn) return;
        throw this.damaged(i + 1, 'it is not JSON');
      }
      const problem = entryProblem(parsed);
      if (problem) {
        if (torn) return;
        throw this.damaged(i + 1, problem);
      }
      entries.push(toEntry(parsed as JsonObject));
    });
    return entries;
  }

  private damaged(line: number, problem: string): FileError {
    return new FileError(
      `${this.display}:${line}`,
      `this line of the journal of an interrupted run is damaged (${problem}). Fix or delete the line (deleting it forgets what that line recorded), then run again.`,
    );
  }
}

function entryProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'not an object';
  if (typeof v.op !== 'string' || !OPS.has(v.op)) return `unknown op ${JSON.stringify(v.op ?? null)}`;
  if (typeof v.ref !== 'string' || !REF.test(v.ref)) return 'no Kind/key ref';
  if (v.op === 'rename' && (typeof v.to !== 'string' || !REF.test(v.to) || v.to.split('/')[0] !== v.ref.split('/')[0]))
    return 'a rename without a Kind/key "to" of the same kind';
  if (v.op === 'bind' || v.op === 'tombstone') {
    if (!isObject(v.binding)) return `a ${v.op} without a binding`;
    const problems = checkSchema('state.schema.json', {
      version: 1,
      environment: 'x',
      host: 'x',
      project: 'x',
      resources: { [v.ref]: v.binding },
    });
    if (problems.length > 0) return `its binding ${problems[0]?.message ?? 'is invalid'}`;
  }
  if (v.op === 'pending' && !(isObject(v.pending) && typeof v.pending.hash === 'string')) return 'a pending create without a hash';
  return undefined;
}

function toEntry(v: JsonObject): JournalEntry {
  const ref = v.ref as string;
  switch (v.op) {
    case 'bind':
      return { op: 'bind', ref, binding: bindingOf(v.binding as JsonObject) };
    case 'tombstone':
      return { op: 'tombstone', ref, binding: bindingOf(v.binding as JsonObject) };
    case 'pending':
      return { op: 'pending', ref, pending: v.pending as unknown as PendingCreate };
    case 'unbind':
      return { op: 'unbind', ref };
    case 'revived':
      return { op: 'revived', ref };
    case 'rename':
      return { op: 'rename', ref, to: v.to as string };
    default:
      return { op: 'settled', ref };
  }
}
