import { readFileSync, writeFileSync, existsSync, appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kindByName } from '../../src/kinds/index.js';
import { readResourceFile, serializeResource, writeResource } from '../../src/store/resource-files.js';
import { StateStore } from '../../src/store/state.js';
import { parseYaml } from '../../src/store/yaml.js';
import { tempDir } from '../helpers/temp.js';

const hog = kindByName('HogFunction');
const target = { host: 'http://127.0.0.1:1', project: '1' };

describe('resource files', () => {
  it('serialises canonically: envelope order, code as literal blocks, LF, one trailing newline, same bytes every time', () => {
    const spec = { inputs: { url: { value: 'x' } }, name: 'Hook', hog: 'let a := 1\nreturn a', type: 'destination', enabled: true };
    const text = serializeResource(hog, 'hook', spec);
    expect(text).toBe(serializeResource(hog, 'hook', JSON.parse(JSON.stringify(spec))));
    expect(text.startsWith('apiVersion: hogsync/v1\nkind: HogFunction\nkey: hook\nspec:\n  name: Hook\n')).toBe(true);
    expect(text).toContain('  hog: |-\n    let a := 1\n    return a\n');
    expect(text.endsWith('\n') && !text.endsWith('\n\n')).toBe(true);
    expect(text).not.toContain('\r');
  });

  it('writes nothing when the bytes would not change', () => {
    const dir = tempDir('files');
    expect(writeResource(dir, hog, 'hook', { name: 'Hook', type: 'destination', enabled: false })).toBe(true);
    expect(writeResource(dir, hog, 'hook', { name: 'Hook', type: 'destination', enabled: false })).toBe(false);
  });

  it('reports a key that disagrees with the file name at file:line:col', () => {
    const dir = tempDir('files');
    const path = join(dir, 'hook.yaml');
    writeFileSync(path, 'apiVersion: hogsync/v1\nkind: HogFunction\nkey: other\nspec: {}\n');
    expect(() => readResourceFile(path, hog, dir)).toThrow(/^hook\.yaml:3:6: key "other" does not match the file name "hook"/);
  });

  it('reports malformed YAML with its position', () => {
    expect(() => parseYaml('a: [1, 2\nb: 3\n', 'x.yaml')).toThrow(/^x\.yaml:\d+:\d+: invalid YAML/);
  });
});

describe('state', () => {
  it('replays the journal of a killed run, ignoring a cut-off last line', () => {
    const dir = tempDir('state');
    const a = StateStore.load(dir, 'prod', target, dir);
    a.bind('Insight', 'one', { id: 1, extras: { short_id: 'abc' }, base: 'sha256:1' });
    a.markPending('Insight', 'two', { natural: 'Two', hash: 'sha256:2' });
    // A process killed mid-append leaves half a line.
    appendFileSync(join(dir, 'prod.journal'), '{"op":"bind","ref":"Insight/thr');
    const b = StateStore.load(dir, 'prod', target, dir);
    expect(b.get('Insight', 'one')).toEqual({ id: 1, extras: { short_id: 'abc' }, base: 'sha256:1' });
    expect(b.pending('Insight', 'two')).toEqual({ natural: 'Two', hash: 'sha256:2' });
    b.flush();
    expect(existsSync(join(dir, 'prod.journal'))).toBe(false);
    expect(JSON.parse(readFileSync(join(dir, 'prod.json'), 'utf8')).resources['Insight/one'].id).toBe(1);
  });

  it('refuses a state file written for another project instead of treating it as empty', () => {
    const dir = tempDir('state');
    const a = StateStore.load(dir, 'prod', target, dir);
    a.bind('Insight', 'one', { id: 1, base: 'sha256:1' });
    a.flush();
    expect(() => StateStore.load(dir, 'prod', { host: target.host, project: '2' }, dir)).toThrow(/belongs to project 1/);
    writeFileSync(join(dir, 'prod.json'), '{not json');
    expect(() => StateStore.load(dir, 'prod', target, dir)).toThrow(/not valid JSON/);
  });
});

describe('state boundaries', () => {
  it('names a damaged journal line that is not the last one, instead of silently dropping it', () => {
    const dir = tempDir('state');
    const a = StateStore.load(dir, 'prod', target, dir);
    a.bind('Insight', 'one', { id: 1, base: 'sha256:1' });
    appendFileSync(join(dir, 'prod.journal'), '{"op":"bind","ref":"Insight/two"}\n');
    a.bind('Insight', 'three', { id: 3, base: 'sha256:3' });
    expect(() => StateStore.load(dir, 'prod', target, dir)).toThrow(/^prod\.journal:2: .*a bind without a binding.*Fix or delete the line/);
  });

  it('refuses bindings that are not what hogsync writes, naming where', () => {
    const dir = tempDir('state');
    writeFileSync(
      join(dir, 'prod.json'),
      JSON.stringify({ version: 1, environment: 'prod', host: target.host, project: '1', resources: { 'Insight/one': { id: 1 } } }),
    );
    expect(() => StateStore.load(dir, 'prod', target, dir)).toThrow(/damaged at \/resources\/Insight~1one: missing required field "base"/);
  });

  it('treats another port on the same host as another PostHog instance', () => {
    const dir = tempDir('state');
    const a = StateStore.load(dir, 'prod', target, dir);
    a.bind('Insight', 'one', { id: 1, base: 'sha256:1' });
    a.flush();
    expect(() => StateStore.load(dir, 'prod', { host: 'http://127.0.0.1:2', project: '1' }, dir)).toThrow(
      /belongs to project 1 at http:\/\/127\.0\.0\.1:1/,
    );
    expect(() => StateStore.load(dir, 'prod', { host: 'https://127.0.0.1:1', project: '1' }, dir)).toThrow(/belongs to project 1/);
  });

  it('rewrites the state file during a long run, so a lost journal loses at most the last few changes', () => {
    const dir = tempDir('state');
    const a = StateStore.load(dir, 'prod', target, dir, { flushEvery: { ms: 60_000, changes: 3 } });
    for (let i = 1; i <= 7; i++) a.bind('Insight', `i${i}`, { id: i, base: `sha256:${i}` });
    const onDisk = JSON.parse(readFileSync(join(dir, 'prod.json'), 'utf8')).resources;
    expect(Object.keys(onDisk)).toEqual(['Insight/i1', 'Insight/i2', 'Insight/i3', 'Insight/i4', 'Insight/i5', 'Insight/i6']);
  });
});
