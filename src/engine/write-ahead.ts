import { existsSync, rmdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { kindByName, type KindDef } from '../kinds/index.js';
import { assignKey, slugify } from '../plan/keys.js';
import { fieldHashes } from '../plan/fields.js';
import type { RemoteEntry } from '../plan/identity.js';
import type { RemoteContext } from './read.js';
import { writeFileAtomic } from '../store/atomic.js';
import { resourcePath, serializeResource, serializeSpec } from '../store/resource-files.js';

/**
 * A first pull spends most of its local time writing files; doing it while later pages
 * are still on their way hides that time behind the network. A new remote resource is
 * written ahead under the key it will most likely get (the slug of its name, when no
 * file or binding holds it); pull then checks each final key against what was written
 * ahead, rewrites the few that came out differently (same-named resources, whose
 * suffixes follow id order) and removes what no resource claimed.
 */
export class WriteAhead {
  /** `Kind/key` → remote id written there. */
  private readonly written = new Map<string, string>();
  private closed = false;
  /** Folders that did not exist before, outermost first. */
  private readonly created: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly planned: ReadonlySet<string>,
  ) {}

  /** Sees each page of converted remote resources (an observer of the pull's read). */
  readonly observe = (kind: KindDef, entries: RemoteEntry[], ctx: RemoteContext): void => {
    for (const remote of entries) this.prepare(kind, remote, ctx);
  };

  private prepare(kind: KindDef, remote: RemoteEntry, ctx: RemoteContext): void {
    remote.text = serializeSpec(kind, remote.spec);
    // What the binding records of it too, while later pages are still on their way.
    remote.fields = fieldHashes(remote.spec);
    // Pages of other lists may still arrive after a failure was rolled back.
    // A spec still naming some resources by id (their keys come later in the read) is written by pull itself.
    if (this.closed || !this.planned.has(kind.kind) || remote.late) return;
    const { taken, adoptable, bound, sameContent, ownKey } = this.context(kind, ctx);
    // Bound resources and possible pairings with a file (by natural key, by content, or, with
    // no state, by the key pull would give it) are decided by the pull plan, not guessed here.
    if (
      bound.has(String(remote.id)) ||
      (remote.natural !== undefined && adoptable.has(remote.natural)) ||
      sameContent.has(remote.pairing) ||
      sameContent.has(remote.whole)
    )
      return;
    const hint = slugify(kind.keyHint(remote.raw));
    if (ownKey.has(hint)) return;
    const key = assignKey(kind.keyHint(remote.raw), kind, remote.id, taken);
    const path = resourcePath(this.dir, kind, key);
    for (const dir of [this.dir, dirname(path)]) if (!this.created.includes(dir) && !existsSync(dir)) this.created.push(dir);
    writeFileAtomic(path, serializeResource(kind, key, remote.spec, remote.text));
    this.written.set(`${kind.kind}/${key}`, String(remote.id));
  }

  /** A pull that failed writes nothing: files written ahead (all new) and folders made for them go. */
  rollback(): void {
    this.closed = true;
    for (const ref of this.written.keys()) {
      const slash = ref.indexOf('/');
      rmSync(resourcePath(this.dir, kindByName(ref.slice(0, slash)), ref.slice(slash + 1)), { force: true });
    }
    this.written.clear();
    for (const dir of [...this.created].reverse()) {
      try {
        rmdirSync(dir);
      } catch {
        // Not empty: something else lives there now.
      }
    }
  }

  /** Whether `kind/key` already holds the file of remote `id`, exactly as pull would write it. */
  holds(kind: KindDef, key: string, id: string | number): boolean {
    return this.written.get(`${kind.kind}/${key}`) === String(id);
  }

  /** Files written ahead under a key that no resource ended up with. */
  strays(final: ReadonlySet<string>): Array<{ kind: string; key: string }> {
    return [...this.written.keys()]
      .filter((ref) => !final.has(ref))
      .map((ref) => {
        const slash = ref.indexOf('/');
        return { kind: ref.slice(0, slash), key: ref.slice(slash + 1) };
      });
  }

  private readonly contexts = new Map<
    string,
    { taken: Set<string>; adoptable: Set<string>; bound: Set<string>; sameContent: Set<string>; ownKey: Set<string> }
  >();

  private context(kind: KindDef, ctx: RemoteContext) {
    let c = this.contexts.get(kind.kind);
    if (!c) {
      const taken = new Set<string>([...ctx.bindings.keys(), ...ctx.locals.map((l) => l.key)]);
      const unbound = ctx.locals.filter((l) => !ctx.bindings.has(l.key));
      const adoptable = new Set(unbound.filter((l) => l.natural !== undefined).map((l) => l.natural as string));
      const bound = new Set([...ctx.bindings.values()].map((b) => String(b.id)));
      const sameContent = new Set(unbound.flatMap((l) => [l.pairing, l.whole]));
      // With no state for the kind, a file under the key pull would give a resource is its file (plan/identity.ts).
      const ownKey = new Set(ctx.bindings.size === 0 ? unbound.map((l) => l.key) : []);
      c = { taken, adoptable, bound, sameContent, ownKey };
      this.contexts.set(kind.kind, c);
    }
    return c;
  }
}
