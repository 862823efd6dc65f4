import fastJsonPatch from 'fast-json-patch';
import { describe, expect, it } from 'vitest';
import { hashJson, type JsonObject } from '../../src/json.js';
import { KINDS, kindByName } from '../../src/kinds/index.js';
import { computePlan, type Action, type Plan } from '../../src/plan/diff.js';
import { buildSnapshot } from '../../src/plan/snapshot.js';
import { remoteSpec } from '../../src/plan/secrets.js';
import type { Binding } from '../../src/model.js';
import { NO_BASE } from '../../src/plan/binding.js';
import { fieldHashes } from '../../src/plan/fields.js';
import { fieldMerge } from '../../src/plan/merge.js';

const insight = kindByName('Insight');

/** An insight as PostHog returns it. */
function remoteInsight(id: number, name: string, extra: JsonObject = {}): JsonObject {
  return {
    id,
    short_id: `s${id}`,
    name,
    query: { kind: 'InsightVizNode', version: 1, source: { kind: 'TrendsQuery', version: 2, series: [] } },
    ...extra,
  };
}

function specOf(raw: JsonObject): JsonObject {
  return remoteSpec(insight, raw, {
    keyOf: () => undefined,
    idOf: () => undefined,
    remote: () => undefined,
    keyByNatural: () => undefined,
  });
}

interface Case {
  local?: JsonObject;
  remote?: JsonObject;
  base?: JsonObject;
  /** The file as it was when a restore bound the resource (Binding.behind). */
  behind?: JsonObject;
}

function plan(cases: Record<string, Case>, adopt = false): Plan {
  const bindings = new Map<string, Binding>();
  const remote: JsonObject[] = [];
  const local: Array<{ kind: typeof insight; key: string; file: string; spec: JsonObject }> = [];
  for (const [key, c] of Object.entries(cases)) {
    if (c.remote) remote.push(c.remote);
    if (c.local) local.push({ kind: insight, key, file: `posthog/insights/${key}.yaml`, spec: c.local });
    if (c.base)
      bindings.set(key, {
        id: (c.remote?.id ?? c.base.id) as number,
        base: hashJson(specOf(c.base)),
        ...(c.behind ? { behind: hashJson(c.behind) } : {}),
      });
  }
  const snapshot = buildSnapshot({
    kinds: [insight],
    fetched: KINDS,
    remote: new Map([['Insight', remote]]),
    local,
    bindings: (kind) => (kind === 'Insight' ? bindings : new Map()),
    pending: () => undefined,
    vars: { env: {}, vars: {}, keyVariables: ['POSTHOG_PERSONAL_API_KEY'] },
    adopt,
    assignNew: false,
  });
  return computePlan(snapshot, 'test');
}

function actionOf(p: Plan, key: string): Action | undefined {
  return p.changes.find((c) => c.key === key)?.action;
}

describe('diff classification (DESIGN.md "Diff: classification")', () => {
  const r1 = remoteInsight(1, 'One');
  const r1edited = remoteInsight(1, 'One (edited in UI)');
  const spec1 = specOf(r1);

  it('unchanged: the file equals PostHog, whatever the server added (version keys)', () => {
    expect(actionOf(plan({ one: { local: spec1, remote: r1, base: r1 } }), 'one')).toBe('unchanged');
  });

  it('create: a file with no binding and no same-named remote', () => {
    expect(actionOf(plan({ two: { local: { name: 'Two' } } }), 'two')).toBe('create');
  });

  it('update: the file changed since the base, PostHog did not', () => {
    expect(actionOf(plan({ one: { local: { ...spec1, name: 'One v2' }, remote: r1, base: r1 } }), 'one')).toBe('update');
  });

  it('drift: PostHog changed since the base, the file did not', () => {
    expect(actionOf(plan({ one: { local: spec1, remote: r1edited, base: r1 } }), 'one')).toBe('drift');
  });

  it('conflict: both changed, differently', () => {
    expect(actionOf(plan({ one: { local: { ...spec1, name: 'Mine' }, remote: r1edited, base: r1 } }), 'one')).toBe('conflict');
  });

  // test/reliability/lost-state-pull.test.ts: a pair matched after the state was lost has no base,
  // so no field is known to be unchanged on either side; a merge would keep the file's stale fields.
  it('no field-wise merge for a pair without a base, even if field hashes were recorded with it', () => {
    const remote = specOf(remoteInsight(1, 'One', { description: 'edited in the UI' }));
    const binding: Binding = { id: 1, base: NO_BASE, fields: fieldHashes(remote) };
    expect(fieldMerge(spec1, remote, binding)).toBeUndefined();
    expect(fieldMerge(spec1, remote, { ...binding, base: hashJson(remote) })?.local).toEqual(['description']);
  });

  it('unchanged: both changed the same way', () => {
    expect(actionOf(plan({ one: { local: specOf(r1edited), remote: r1edited, base: r1 } }), 'one')).toBe('unchanged');
  });

  it('delete: bound, file removed, PostHog unchanged', () => {
    expect(actionOf(plan({ one: { remote: r1, base: r1 } }), 'one')).toBe('delete');
  });

  it('restore: bound and untouched locally, but deleted in PostHog (DESIGN.md: a file for a bound resource that was deleted)', () => {
    const p = plan({ one: { local: spec1, base: r1 } });
    expect(actionOf(p, 'one')).toBe('restore');
    expect(p.changes[0]?.notes).toContain('deleted in PostHog since the last sync; push brings it back (pull removes the file instead)');
  });

  it('after a restore whose file the work tree has older: drift while the file is as it was, an edit once edited (Binding.behind)', () => {
    const older = { ...spec1, name: 'One (before the restore)' };
    expect(actionOf(plan({ one: { local: older, remote: r1, base: r1, behind: older } }), 'one')).toBe('drift');
    expect(actionOf(plan({ one: { local: older, remote: r1edited, base: r1, behind: older } }), 'one')).toBe('drift');
    expect(actionOf(plan({ one: { local: { ...spec1, name: 'Edited after' }, remote: r1, base: r1, behind: older } }), 'one')).toBe(
      'update',
    );
  });

  it('update, two-way: no base (new clone), file and PostHog differ', () => {
    const p = plan({ one: { local: { ...spec1, name: 'Other' }, remote: r1 } });
    // Without a binding the remote is only found by name: a differently named file is a create.
    expect(actionOf(p, 'one')).toBe('create');
    expect(p.summary.unmanaged).toBe(1);
  });

  it('adopt: no binding, one remote with the same name, and --adopt', () => {
    expect(actionOf(plan({ one: { local: { ...spec1, description: 'x' }, remote: r1 } }, true), 'one')).toBe('adopt');
  });

  it('create with a warning: a same-named remote with other content exists but --adopt was not given', () => {
    const p = plan({ one: { local: { ...spec1, description: 'mine' }, remote: r1 } });
    const c = p.changes.find((x) => x.key === 'one');
    expect(c?.action).toBe('create');
    expect(c?.notes.join()).toMatch(/same name already exists.*--adopt/);
  });

  it('adopts a remote whose content equals the file, even without --adopt (a create whose answer was lost, a killed run)', () => {
    const p = plan({ one: { local: spec1, remote: r1 } });
    expect(actionOf(p, 'one')).toBe('adopt');
    expect(p.changes.find((x) => x.key === 'one')?.notes.join()).toMatch(/identical remote resource/);
  });

  it('pairs same-named twins by content, never by first match', () => {
    const twin = remoteInsight(2, 'One', { description: 'the twin' });
    const p = plan({ one: { local: spec1, remote: r1 }, two: { local: { ...spec1, description: 'the twin' }, remote: twin } });
    expect(p.changes.find((x) => x.key === 'one')?.id).toBe(1);
    expect(p.changes.find((x) => x.key === 'two')?.id).toBe(2);
  });

  it('never adopts an ambiguous match', () => {
    const p = plan({ one: { local: { ...spec1, description: 'mine' }, remote: r1 }, dup: { remote: remoteInsight(2, 'One') } }, true);
    expect(actionOf(p, 'one')).toBe('create');
    expect(p.changes.find((x) => x.key === 'one')?.notes.join()).toMatch(/none is adopted/);
  });

  it('unmanaged: remote resources with no file and no binding are listed, never touched', () => {
    expect(plan({ x: { remote: remoteInsight(9, 'Nine') } }).summary.unmanaged).toBe(1);
  });

  it('every patch turns the remote spec into the local one (fast-json-patch)', () => {
    const p = plan({
      a: { local: { ...spec1, name: 'A2', description: 'new' }, remote: r1, base: r1 },
      b: {
        local: { name: 'B', tags: ['x'] },
        remote: remoteInsight(2, 'B', { tags: ['y', 'z'] }),
        base: remoteInsight(2, 'B', { tags: ['y', 'z'] }),
      },
    });
    const patched = p.changes.filter((x) => x.patch && x.entry?.remote && x.entry.local);
    expect(patched.length).toBe(2);
    for (const c of patched) {
      const doc = { spec: structuredClone(c.entry?.remote?.spec) };
      const out = fastJsonPatch.applyPatch(doc, structuredClone(c.patch ?? []), true, false).newDocument;
      expect(out).toEqual({ spec: c.entry?.local?.spec });
      expect(c.patch?.every((op) => op.path.startsWith('/spec'))).toBe(true);
    }
  });
});
