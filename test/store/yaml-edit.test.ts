import { diffArrays } from 'diff';
import jsyaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { canonicalJson, type Json, type JsonObject } from '../../src/json.js';
import { kindByName } from '../../src/kinds/index.js';
import { resourceText, serializeResource } from '../../src/store/resource-files.js';
import { editYaml } from '../../src/store/yaml-edit.js';

const insight = kindByName('Insight');
const hog = kindByName('HogFunction');

const spec = (): JsonObject => ({
  name: 'Weekly signups',
  description: 'Signups per week',
  tags: ['growth', 'weekly'],
  query: {
    kind: 'InsightVizNode',
    source: {
      kind: 'TrendsQuery',
      interval: 'week',
      series: [
        { kind: 'EventsNode', event: 'signed_up', math: 'total' },
        { kind: 'EventsNode', event: 'purchase', math: 'dau' },
      ],
    },
  },
});

/** The canonical file with comments and blank lines a user might add. */
function commented(): string {
  const lines = serializeResource(insight, 'weekly-signups', spec()).split('\n');
  const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
  lines.splice(at('  name:'), 0, '  # owner: growth team');
  lines[at('  description:')] += '  # shown on the dashboard';
  lines.splice(at('      interval:'), 0, '      # weekly, because the team plans per week');
  lines.splice(at('        - kind: EventsNode') + 0, 0, '        # the main conversion');
  const second = lines.findIndex((l, i) => i > at('        - kind: EventsNode') && l.startsWith('        - kind: EventsNode'));
  lines.splice(second, 0, '', '        # revenue side');
  return `# Reviewed quarterly.\n${lines.join('\n')}`;
}

function parse(text: string): Json {
  return jsyaml.load(text, { schema: jsyaml.CORE_SCHEMA }) as Json;
}

function envelope(s: JsonObject): JsonObject {
  return { apiVersion: 'hogsync/v1', kind: 'Insight', key: 'weekly-signups', spec: s };
}

function edit(previous: string, next: JsonObject, kind = insight, key = 'weekly-signups'): string {
  const out = resourceText(kind, key, next, serializeResource(kind, key, next), previous);
  expect(canonicalJson(parse(out))).toBe(canonicalJson({ apiVersion: 'hogsync/v1', kind: kind.kind, key, spec: next }));
  return out;
}

/** The lines an edit removed and added (a line diff): all others are byte-identical. */
function lineDiff(before: string, after: string): { removed: string[]; added: string[] } {
  const parts = diffArrays(before.split('\n'), after.split('\n'));
  return { removed: parts.filter((p) => p.removed).flatMap((p) => p.value), added: parts.filter((p) => p.added).flatMap((p) => p.value) };
}

describe('editing a commented resource file', () => {
  it('changes one scalar in place: every comment and blank line stays, every other line is byte-identical', () => {
    const before = commented();
    const next = spec();
    (((next.query as JsonObject).source as JsonObject).series as JsonObject[])[1]!.math = 'total';
    const after = edit(before, next);
    expect(lineDiff(before, after)).toEqual({ removed: ['          math: dau'], added: ['          math: total'] });
    expect(after.split('\n')).toHaveLength(before.split('\n').length);
  });

  it('keeps an inline comment when the value before it changes', () => {
    const before = commented();
    const after = edit(before, { ...spec(), description: 'Signups per calendar week' });
    expect(lineDiff(before, after)).toEqual({
      removed: ['  description: Signups per week  # shown on the dashboard'],
      added: ['  description: Signups per calendar week  # shown on the dashboard'],
    });
  });

  it('removes a field together with the comment lines above it', () => {
    const before = commented();
    const next = spec();
    delete ((next.query as JsonObject).source as JsonObject).interval;
    const after = edit(before, next);
    expect(lineDiff(before, after)).toEqual({
      removed: ['      # weekly, because the team plans per week', '      interval: week'],
      added: [],
    });
  });

  it('adds a new field where the canonical order puts it, touching no other line', () => {
    const before = commented();
    const after = edit(before, { ...spec(), favorited: true });
    expect(lineDiff(before, after)).toEqual({ removed: [], added: ['  favorited: true'] });
    const lines = after.split('\n');
    expect(lines.indexOf('  favorited: true')).toBe(lines.findIndex((l) => l.startsWith('  tags:')) + 3);
  });

  it('removes a list item with its comment, keeping the comment of the item that stays', () => {
    const before = commented();
    const next = spec();
    ((next.query as JsonObject).source as JsonObject).series = [{ kind: 'EventsNode', event: 'purchase', math: 'dau' }];
    const after = edit(before, next);
    expect(after).toContain('        # revenue side\n        - kind: EventsNode\n          event: purchase');
    expect(after).not.toContain('the main conversion');
    expect(after).not.toContain('signed_up');
    expect(after).toContain('# owner: growth team');
  });

  it('inserts a list item before the items that follow, their comments staying with them', () => {
    const before = commented();
    const next = spec();
    const series = ((next.query as JsonObject).source as JsonObject).series as JsonObject[];
    series.splice(1, 0, { kind: 'EventsNode', event: '$pageview' });
    const after = edit(before, next);
    expect(lineDiff(before, after)).toEqual({ removed: [], added: ['        - kind: EventsNode', '          event: $pageview'] });
    expect(after).toContain(
      '          math: total\n        - kind: EventsNode\n          event: $pageview\n\n        # revenue side\n        - kind: EventsNode\n          event: purchase',
    );
  });

  it('replaces a changed subtree under its key, keeping the key line comment', () => {
    const before = commented().replace('  query:\n', '  query: # built in the UI\n');
    const next = spec();
    next.query = { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } };
    const after = edit(before, next);
    expect(after).toContain('  query: # built in the UI\n    kind: DataTableNode\n');
    expect(after).toContain('# owner: growth team');
    expect(after).toContain('  description: Signups per week  # shown on the dashboard');
  });

  it('keeps code a literal block when it changes, and the comment on its header line', () => {
    const hogSpec: JsonObject = { name: 'Hook', type: 'destination', enabled: true, hog: 'let a := 1\n\nreturn a' };
    const before = serializeResource(hog, 'hook', hogSpec)
      .replace('  hog: |-\n', '  hog: |- # the handler\n')
      .replace('  enabled: true\n', '  # switched on in March\n  enabled: true\n');
    const after = edit(before, { ...hogSpec, hog: 'let a := 2\n\nreturn a' }, hog, 'hook');
    expect(after).toContain('  hog: |- # the handler\n    let a := 2\n\n    return a\n');
    expect(after).toContain('  # switched on in March\n  enabled: true\n');
    // One-line code stays a block too.
    const one = edit(before, { ...hogSpec, hog: 'return event' }, hog, 'hook');
    expect(one).toContain('  hog: |- # the handler\n    return event\n');
  });

  it('turns a one-line value into a block when the new value spans lines', () => {
    const before = commented();
    const after = edit(before, { ...spec(), description: 'Line one\nLine two' });
    expect(after).toContain('  description: |-  # shown on the dashboard\n    Line one\n    Line two\n');
  });

  it('writes the canonical text when the file holds nothing of the user', () => {
    const canonical = serializeResource(insight, 'weekly-signups', spec());
    const next = { ...spec(), name: 'Renamed' };
    expect(resourceText(insight, 'weekly-signups', next, serializeResource(insight, 'weekly-signups', next), canonical)).toBe(
      serializeResource(insight, 'weekly-signups', next),
    );
  });

  it('gives up (undefined) on anchors, CRLF and flow style at the root instead of guessing', () => {
    const next = envelope(spec());
    expect(editYaml('apiVersion: &v hogsync/v1\nkind: Insight\nkey: weekly-signups\nspec: {}\n# c\n', next)).toBeUndefined();
    expect(editYaml('apiVersion: hogsync/v1\r\nkind: Insight\r\n# c\r\n', next)).toBeUndefined();
    expect(editYaml('{apiVersion: hogsync/v1, kind: Insight} # c\n', next)).toBeUndefined();
  });

  it('every edit reads back as exactly the new spec, over many random changes', () => {
    let edited = 0;
    const base = commented();
    const source = (s: JsonObject): JsonObject => ((s.query as JsonObject | null)?.source as JsonObject | undefined) ?? {};
    const mutations: Array<(s: JsonObject) => void> = [
      (s) => (s.name = 'Renamed: with colon'),
      (s) => delete s.tags,
      (s) => (s.tags = ['a', 'b', 'c', 'd']),
      (s) => (s.tags = []),
      (s) => (s.description = ''),
      (s) => (s.description = '  leading spaces'),
      (s) => (s.description = 'true'),
      (s) => (s.description = 123 as unknown as string),
      (s) => (s.query = null),
      (s) => (source(s).series = []),
      (s) =>
        (source(s).series = [
          { kind: 'EventsNode', event: 'x' },
          { kind: 'EventsNode', event: 'y' },
          { kind: 'EventsNode', event: 'z' },
        ]),
      (s) => (source(s).breakdownFilter = { breakdown: '$browser', breakdown_type: 'event' }),
      (s) => (source(s).kind = 'FunnelsQuery'),
      (s) => s.query && ((s.query as JsonObject).source = 'plain'),
      (s) => (s.filters = { a: { b: { c: [1, 2, { d: 'e\nf' }] } } }),
    ];
    for (let mask = 1; mask < 1 << 5; mask++) {
      for (let offset = 0; offset < mutations.length; offset += 5) {
        const next = spec();
        mutations.slice(offset, offset + 5).forEach((m, i) => mask & (1 << i) && m(next));
        const out = edit(base, next);
        if (out.includes('# owner: growth team')) edited++;
      }
    }
    // Most combinations are edited in place rather than rewritten.
    expect(edited).toBeGreaterThan(80);
  });
});
