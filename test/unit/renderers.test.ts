import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { hashJson, type JsonObject } from '../../src/json.js';
import { KINDS, kindByName, type KindDef } from '../../src/kinds/index.js';
import type { Binding } from '../../src/model.js';
import { computePlan, type Action, type Change, type Plan } from '../../src/plan/diff.js';
import { filterPlan } from '../../src/plan/filter.js';
import { fieldChanges } from '../../src/plan/renderers/field-changes.js';
import { RENDERERS } from '../../src/plan/renderers/index.js';
import { buildSnapshot } from '../../src/plan/snapshot.js';
import { remoteSpec } from '../../src/plan/secrets.js';
import { ROOT } from '../helpers/e2e.js';

// Renderers on plans made by the real classifier (buildSnapshot → computePlan), kind by kind.

const insight = kindByName('Insight');
const hogFunction = kindByName('HogFunction');
const refs = { keyOf: () => undefined, idOf: () => undefined, remote: () => undefined, keyByNatural: () => undefined };

interface Case {
  local?: JsonObject;
  remote?: JsonObject;
  base?: JsonObject;
}

function planOf(kind: KindDef, cases: Record<string, Case>): Plan {
  const bindings = new Map<string, Binding>();
  const remote: JsonObject[] = [];
  const local: Array<{ kind: KindDef; key: string; file: string; spec: JsonObject }> = [];
  for (const [key, c] of Object.entries(cases)) {
    if (c.remote) remote.push(c.remote);
    if (c.local) local.push({ kind, key, file: `posthog/${kind.folder}/${key}.yaml`, spec: c.local });
    if (c.base) bindings.set(key, { id: kind.remoteId(c.base), base: hashJson(remoteSpec(kind, c.base, refs)) });
  }
  const snapshot = buildSnapshot({
    kinds: [kind],
    fetched: KINDS,
    remote: new Map([[kind.kind, remote]]),
    local,
    bindings: (k) => (k === kind.kind ? bindings : new Map()),
    pending: () => undefined,
    vars: { env: {}, vars: {}, keyVariables: ['POSTHOG_PERSONAL_API_KEY'] },
    adopt: false,
    assignNew: false,
  });
  return computePlan(snapshot, 'test');
}

const text = (p: Plan) => RENDERERS.text(p, { color: false });
const markdown = (p: Plan) => RENDERERS.markdown(p);
const json = (p: Plan) => JSON.parse(RENDERERS.json(p));

function trends(id: number, name: string, extra: JsonObject = {}): JsonObject {
  return {
    id,
    short_id: `s${id}`,
    name,
    query: { kind: 'InsightVizNode', source: { kind: 'TrendsQuery', series: [{ kind: 'EventsNode', event: 'a' }] } },
    ...extra,
  };
}
const specOf = (raw: JsonObject) => remoteSpec(insight, raw, refs);

const HOG = 'let a := 1\nprint(a)\nreturn event';
function webhook(extra: JsonObject = {}): JsonObject {
  return {
    id: '0190-0000-hook',
    name: 'Hook',
    type: 'destination',
    enabled: true,
    hog: HOG,
    inputs_schema: [{ key: 'url', type: 'string', label: 'URL', required: true }],
    inputs: { url: { value: 'https://example.com/hook' } },
    ...extra,
  };
}

describe('field changes: what a reader compares, not a JSON Patch', () => {
  const none = new Set<string>();

  it('lists of scalars as items joined and left; the same items reordered as one value', () => {
    expect(fieldChanges({ tags: ['a', 'b'] }, { tags: ['b', 'c'] }, none)).toEqual([
      { type: 'items', path: '/spec/tags', removed: ['a'], added: ['c'], absentBefore: false, absentAfter: false },
    ]);
    expect(fieldChanges({}, { tags: ['x'] }, none)).toEqual([
      { type: 'items', path: '/spec/tags', removed: [], added: ['x'], absentBefore: true, absentAfter: false },
    ]);
    expect(fieldChanges({ tags: ['a', 'b'] }, { tags: ['b', 'a'] }, none)).toEqual([
      { type: 'value', path: '/spec/tags', before: ['a', 'b'], after: ['b', 'a'] },
    ]);
  });

  it('a list of objects aligned by content: one insertion is one added element, not every later one changed', () => {
    const s = (event: string) => ({ kind: 'EventsNode', event });
    const changes = fieldChanges({ series: [s('a'), s('b')] }, { series: [s('new'), s('a'), s('b')] }, none);
    expect(changes).toEqual([{ type: 'value', path: '/spec/series/0', after: s('new') }]);
    const edited = fieldChanges({ series: [s('a'), s('b')] }, { series: [s('a'), s('c')] }, none);
    expect(edited).toEqual([{ type: 'value', path: '/spec/series/1/event', before: 'b', after: 'c' }]);
  });

  it('code is kept whole: a declared code path even on one line, and any multi-line string', () => {
    expect(fieldChanges({ q: 'SELECT 1' }, { q: 'SELECT 2' }, new Set(['/spec/q']))).toEqual([
      { type: 'code', path: '/spec/q', before: 'SELECT 1', after: 'SELECT 2' },
    ]);
    expect(fieldChanges({}, { note: 'a\nb' }, none)).toEqual([{ type: 'code', path: '/spec/note', after: 'a\nb' }]);
    expect(fieldChanges({ q: 'SELECT 1' }, { q: 'SELECT 2' }, none)).toEqual([
      { type: 'value', path: '/spec/q', before: 'SELECT 1', after: 'SELECT 2' },
    ]);
  });
});

describe('drift and conflicts read the right way round', () => {
  const base = trends(1, 'One', { tags: ['a'] });
  const ui = trends(1, 'One (UI)', { tags: ['a', 'ui'] });

  it('drift: what PostHog did (last sync → PostHog), then what push and pull would do; the JSON carries both patches', () => {
    const p = planOf(insight, { one: { local: specOf(base), remote: ui, base } });
    const out = text(p);
    expect(out).toMatch(/in PostHog \(last sync → now\):\n {6}~ spec\.name: "One" → "One \(UI\)"\n {6}~ spec\.tags:\n {10}\+ ui\n/);
    expect(out).toContain("→ push --force reverts PostHog to the file; pull takes PostHog's version into the file");
    expect(out).not.toContain('- spec.tags');
    const change = json(p).changes[0];
    expect(change.patch).toContainEqual({ op: 'replace', path: '/spec/name', value: 'One' });
    expect(change.remotePatch).toContainEqual({ op: 'replace', path: '/spec/name', value: 'One (UI)' });
    expect(markdown(p)).toContain('- `spec.name`: `"One"` → `"One (UI)"`\n- `spec.tags`: added `ui`');
  });

  it('conflict: each differing field from both sides, labelled', () => {
    const p = planOf(insight, { one: { local: { ...specOf(base), name: 'Mine', tags: ['a', 'mine'] }, remote: ui, base } });
    const out = text(p);
    expect(out).toMatch(/the file and PostHog differ:\n {6}~ spec\.name:\n {10}file: {4}"Mine"\n {10}PostHog: "One \(UI\)"\n/);
    expect(out).toMatch(/only in file: {4}mine\n\s+only in PostHog: ui/);
    expect(out).toContain("→ push --force writes the file's version to PostHog; pull --force takes PostHog's version into the file");
    expect(markdown(p)).toContain('- `spec.name`: file `"Mine"` · PostHog `"One (UI)"`');
    expect(json(p).changes[0].remotePatch).toContainEqual({ op: 'replace', path: '/spec/name', value: 'One (UI)' });
  });

  it('deleted in PostHog, or removed locally: what each command would do instead', () => {
    const gone = planOf(insight, { one: { local: specOf(base), base } });
    expect(text(gone)).toContain('^ restore Insight/one (id 1)');
    expect(text(gone)).toContain('undeleted in place, so id 1 and links to it keep working');
    const removed = planOf(insight, { one: { remote: ui, base } });
    expect(text(removed)).toContain("→ push --force --prune deletes it in PostHog; pull --force writes PostHog's version back to the file");
  });

  it('updates keep old = PostHog, new = file, and carry no remotePatch', () => {
    const p = planOf(insight, { one: { local: { ...specOf(base), name: 'Two', description: 'new' }, remote: base, base } });
    expect(text(p)).toMatch(/~ spec\.name: "One" → "Two"\n {4}\+ spec\.description: "new"\n/);
    expect(json(p).changes[0].remotePatch).toBeUndefined();
  });
});

describe('code and new resources', () => {
  it('a create shows its spec as YAML with HogQL as a block: no JSON string, no stray empty line', () => {
    const sql = { name: 'SQL', query: { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: 'SELECT 1\nFROM events' } } };
    const p = planOf(insight, { sql: { local: sql } });
    const out = text(p);
    expect(out).toContain('    +     query: |-\n    +       SELECT 1\n    +       FROM events\n');
    expect(out).not.toMatch(/\\n|^\s+-\s*$/m);
    expect(markdown(p)).toContain('```yaml\nname: SQL\nquery:\n');
  });

  it('a Hog change is one line diff, in text and markdown, never also a JSON string', () => {
    const before = webhook();
    const p = planOf(hogFunction, {
      hook: {
        local: remoteSpec(hogFunction, webhook({ hog: HOG.replace('print(a)', 'print(a, 2)') }), refs),
        remote: before,
        base: before,
      },
    });
    const out = text(p);
    expect(out).toMatch(/~ spec\.hog:\n\s+@@ -1,3 \+1,3 @@\n\s+ let a := 1\n\s+-print\(a\)\n\s+\+print\(a, 2\)\n/);
    const md = markdown(p);
    expect(md.split('print(a, 2)')).toHaveLength(2);
    expect(md).not.toContain('"op"');
  });

  it('code that adds a line diff of its own (```) gets a longer fence', () => {
    const before = webhook();
    const p = planOf(hogFunction, {
      hook: { local: remoteSpec(hogFunction, webhook({ hog: `${HOG}\n// \`\`\`fenced\`\`\`` }), refs), remote: before, base: before },
    });
    expect(markdown(p)).toMatch(/````diff\n[\s\S]*\+\/\/ ```fenced```\n````/);
  });

  it('a very long code change is cut inside its section, the fence still closed', () => {
    const before = webhook();
    const long = Array.from({ length: 600 }, (_, i) => `print(${i})`).join('\n');
    const p = planOf(hogFunction, { hook: { local: remoteSpec(hogFunction, webhook({ hog: long }), refs), remote: before, base: before } });
    const md = markdown(p);
    expect(md).toMatch(/more line\(s\) not shown: run `hogsync diff` to see them all/);
    expect(md.match(/^```/gm)?.length ?? 0).toBe(2);
    expect(md.length).toBeLessThan(15_000);
  });
});

describe('restore (a file for a bound resource deleted in PostHog)', () => {
  // The plan gives this action in another change; the renderers take it already.
  function restorePlan(): Plan {
    const p = planOf(insight, { back: { local: { name: 'Back' } } });
    const change = p.changes.find((c) => c.key === 'back') as Change;
    Object.assign(change, { action: 'restore' as Action, id: 7, notes: ['deleted in PostHog; undeleted in place (id and short_id kept)'] });
    return { ...p, summary: { ...p.summary, create: 0, restore: 1 } as Plan['summary'] };
  }

  it('is shown like a create, with its own marker and heading, in every format', () => {
    const p = restorePlan();
    expect(text(p)).toContain(
      '^ restore Insight/back (id 7)  posthog/insights/back.yaml\n    # deleted in PostHog; undeleted in place (id and short_id kept)\n    + name: Back\n',
    );
    expect(text(p)).toContain('0 to create, 1 to restore,');
    const md = markdown(p);
    expect(md).toContain('<summary><code>^</code> <b>restore</b> <code>Insight/back (id 7)</code>');
    expect(md).toContain('| create | restore | update |');
    const doc = json(p);
    const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(
      JSON.parse(readFileSync(join(ROOT, 'schemas', 'diff-output.schema.json'), 'utf8')),
    );
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.changes[0].action).toBe('restore');
  });
});

describe('variables push needs that are not set', () => {
  const withVar = (v: string) => remoteSpec(hogFunction, webhook({ inputs: { url: { value: `https://\${${v}}/hook` } } }), refs);

  it('listed for what push sends (a create), not for drift it skips; in text, markdown and JSON', () => {
    const base = webhook({ name: 'Drifted' });
    const p = planOf(hogFunction, {
      hook: { local: withVar('HOOK_HOST') },
      drifted: { local: { ...withVar('OTHER_HOST'), name: 'Drifted' }, remote: webhook({ name: 'Drifted', enabled: false }), base },
    });
    expect(p.changes.find((c) => c.key === 'hook')?.action).toBe('create');
    expect(p.missingVars).toEqual(['HOOK_HOST']);
    expect(text(p)).toMatch(/warning: push needs these variables[^\n]*\n {4}\$\{HOOK_HOST\} {2}used by HogFunction\/hook\n/);
    expect(markdown(p)).toContain('> - `${HOOK_HOST}`, used by `HogFunction/hook`');
    expect(json(p).missingVars).toEqual(['HOOK_HOST']);
  });

  it('limited to the selected resources when the plan is filtered', () => {
    const p = planOf(hogFunction, { a: { local: withVar('A_HOST') }, b: { local: { ...withVar('B_HOST'), name: 'B' } } });
    expect(p.missingVars).toEqual(['A_HOST', 'B_HOST']);
    const only = filterPlan(p, ['b'], { file: (x) => x, selector: (x) => x });
    expect(only.missingVars).toEqual(['B_HOST']);
    expect(text(only)).not.toContain('A_HOST');
  });

  it('no section when nothing is missing', () => {
    const p = planOf(hogFunction, { hook: { local: remoteSpec(hogFunction, webhook(), refs) } });
    expect(p.missingVars).toEqual([]);
    expect(text(p)).not.toContain('warning');
    expect(markdown(p)).not.toContain('[!WARNING]');
  });
});

describe('problems of files PostHog holds as they are (issue 22)', () => {
  const line =
    'posthog/insights/sql.yaml:12:40: {variables.nope} refers to no insight variable file (none has code_name "nope"); the file is as last synced, so PostHog already holds it and this run goes on';

  it('are in the JSON document (valid against its schema) and in the pull-request comment, not in the text on stdout', () => {
    const p: Plan = { ...planOf(insight, { a: { local: specOf(trends(1, 'A')) } }), warnings: [line] };
    const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(
      JSON.parse(readFileSync(join(ROOT, 'schemas', 'diff-output.schema.json'), 'utf8')),
    );
    expect(validate(json(p)), JSON.stringify(validate.errors)).toBe(true);
    expect(json(p).warnings).toEqual([line]);
    expect(markdown(p)).toContain(`> - ${line}`);
    expect(text(p)).not.toContain('nope');
  });

  it('leave no trace when there are none', () => {
    const p = planOf(insight, { a: { local: specOf(trends(1, 'A')) } });
    expect(json(p)).not.toHaveProperty('warnings');
    expect(markdown(p)).not.toContain('[!NOTE]');
  });
});
