import { describe, expect, it } from 'vitest';
import { replaceScalars } from '../../src/store/yaml-rename.js';

/** Scalars rewritten where they stand: everything else in the text keeps its bytes. */

describe('replaceScalars', () => {
  it('rewrites a value and keeps the comment after it', () => {
    const text = 'apiVersion: hogsync/v1\nkey: "123"   # legacy id\nspec: {}\n';
    expect(replaceScalars(text, [{ pointer: '/key', text: 'signups' }])).toBe(
      'apiVersion: hogsync/v1\nkey: signups   # legacy id\nspec: {}\n',
    );
  });

  it('renames mapping entries, block and flow, and keeps their comments and values', () => {
    const text = [
      'spec:',
      '  variables:',
      '    # picked on the dashboard',
      '    country:   # ISO code',
      '      value: GB',
      '  other: {country: {value: FR}, plan: x}',
      '',
    ].join('\n');
    const out = replaceScalars(text, [
      { pointer: '/spec/variables/country', mapKey: true, text: 'region' },
      { pointer: '/spec/other/country', mapKey: true, text: 'region' },
    ]);
    expect(out).toBe(text.replace('    country:', '    region:').replace('{country:', '{region:'));
  });

  it('reaches into lists by index', () => {
    expect(replaceScalars('a:\n  - x: 1\n  - x: 2\n', [{ pointer: '/a/1/x', mapKey: true, text: 'y' }])).toBe('a:\n  - x: 1\n  - y: 2\n');
  });

  it('gives up (undefined) where the pointer leads to no scalar written in the text', () => {
    expect(replaceScalars('a: 1\n', [{ pointer: '/b', text: 'x' }])).toBeUndefined();
    expect(replaceScalars('a: {b: 1}\n', [{ pointer: '/a', text: 'x' }])).toBeUndefined();
    expect(replaceScalars('a: &x {b: 1}\nc: *x\n', [{ pointer: '/c/b', mapKey: true, text: 'y' }])).toBeUndefined();
    expect(replaceScalars('a: [1\n', [{ pointer: '/a/0', text: 'x' }])).toBeUndefined();
  });
});
