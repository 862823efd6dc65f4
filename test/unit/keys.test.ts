import { describe, expect, it } from 'vitest';
import { assignKey, slugify } from '../../src/plan/keys.js';
import { KEY_PATTERN } from '../../src/store/resource-files.js';

describe('keys', () => {
  it.each([
    ['Weekly signups', 'weekly-signups'],
    ['Weekly signups (v2)', 'weekly-signups-v2'],
    ['Événements  à Zürich', 'evenements-a-zurich'],
    ['country_code', 'country_code'],
    ['  --Trim me--  ', 'trim-me'],
    ['日本語', ''],
  ])('slugify(%j) = %j', (input, expected) => {
    expect(slugify(input)).toBe(expected);
  });

  it('suffixes -2, -3 on collision and falls back when a name has no usable letters', () => {
    const taken = new Set(['weekly-signups']);
    expect(assignKey('Weekly signups', 'x', taken)).toBe('weekly-signups-2');
    expect(assignKey('Weekly signups', 'x', taken)).toBe('weekly-signups-3');
    expect(assignKey('日本語', 'insight-AbC123', taken)).toBe('insight-abc123');
  });

  it('always produces keys that match the file key pattern', () => {
    const taken = new Set<string>();
    for (const name of ['', '!!!', 'a'.repeat(300), '_x_', '-', 'Ünïcödé', '123 go']) {
      expect(assignKey(name, 'fallback-1', taken)).toMatch(KEY_PATTERN);
    }
  });
});
