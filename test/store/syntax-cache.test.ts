import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { syntaxCache } from '../../src/store/syntax-cache.js';
import { tempDir } from '../helpers/temp.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(32);
const file = (root: string) => join(root, '.hogsync', 'cache', 'syntax.json');

describe('parse cache file', () => {
  it('reads back what a run kept, in .hogsync/cache/syntax.json, which keeps itself out of git', () => {
    const root = tempDir('syntax-cache');
    const cache = syntaxCache(root, '1.0.0');
    cache.put(KEY_A, null);
    cache.put(KEY_B, { message: 'no viable alternative', offset: 12 });
    cache.save();
    const again = syntaxCache(root, '1.0.0');
    expect(again.get(KEY_A)).toBeNull();
    expect(again.get(KEY_B)).toEqual({ message: 'no viable alternative', offset: 12 });
    expect(again.get('c'.repeat(32))).toBeUndefined();
    expect(readFileSync(join(root, '.hogsync', 'cache', '.gitignore'), 'utf8')).toBe('*\n');
  });

  it('trusts no verdict of another parser version', () => {
    const root = tempDir('syntax-cache');
    const cache = syntaxCache(root, '1.0.0');
    cache.put(KEY_A, null);
    cache.save();
    expect(syntaxCache(root, '1.0.1').get(KEY_A)).toBeUndefined();
  });

  it('adds each run to what is on disk: two runs that read the same file both stay kept', () => {
    const root = tempDir('syntax-cache');
    const a = syntaxCache(root, '1.0.0');
    const b = syntaxCache(root, '1.0.0');
    expect(a.get(KEY_A)).toBeUndefined();
    expect(b.get(KEY_B)).toBeUndefined();
    a.put(KEY_A, null);
    b.put(KEY_B, null);
    a.save();
    b.save();
    const both = syntaxCache(root, '1.0.0');
    expect([both.get(KEY_A), both.get(KEY_B)]).toEqual([null, null]);
  });

  it.each([
    ['not JSON', '{"version": 1, "verd'],
    ['another format', '{"version": 2, "parser": "1.0.0", "verdicts": {}}'],
    [
      'entries of the wrong shape',
      `{"version": 1, "parser": "1.0.0", "verdicts": {"${KEY_A}": "ok", "${KEY_B}": [3, "x"], "short": null}}`,
    ],
  ])('takes a file that is %s for an empty cache, and writes a good one over it', (_what, text) => {
    const root = tempDir('syntax-cache');
    mkdirSync(join(root, '.hogsync', 'cache'), { recursive: true });
    writeFileSync(file(root), text);
    const cache = syntaxCache(root, '1.0.0');
    expect([cache.get(KEY_A), cache.get(KEY_B), cache.get('short')]).toEqual([undefined, undefined, undefined]);
    cache.put(KEY_A, null);
    cache.save();
    expect(syntaxCache(root, '1.0.0').get(KEY_A)).toBeNull();
  });

  it('neither reads nor writes through a symbolic link in its way', () => {
    const root = tempDir('syntax-cache');
    const elsewhere = tempDir('syntax-cache-elsewhere');
    mkdirSync(join(root, '.hogsync'));
    symlinkSync(elsewhere, join(root, '.hogsync', 'cache'));
    const cache = syntaxCache(root, '1.0.0');
    cache.put(KEY_A, null);
    cache.save();
    expect(existsSync(join(elsewhere, 'syntax.json'))).toBe(false);
  });
});
