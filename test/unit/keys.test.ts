import { describe, expect, it } from 'vitest';
import { kindByName } from '../../src/kinds/index.js';
import { assignKey, slugify } from '../../src/plan/keys.js';
import { KEY_PATTERN } from '../../src/store/resource-files.js';

const insight = kindByName('Insight');

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
    expect(assignKey('Weekly signups', insight, 1, taken)).toBe('weekly-signups-2');
    expect(assignKey('Weekly signups', insight, 2, taken)).toBe('weekly-signups-3');
    expect(assignKey('日本語', insight, 'AbC123xyz', taken)).toBe('insight-abc123xy');
  });

  it('never gives a key that would read as an id: a dashboard named "2024" is dashboard-2024', () => {
    const taken = new Set<string>();
    expect(assignKey('2024', kindByName('Dashboard'), 7, taken)).toBe('dashboard-2024');
    expect(assignKey('2024', kindByName('Dashboard'), 8, taken)).toBe('dashboard-2024-2');
    // Variables have UUIDs: digits read as a key there.
    expect(assignKey('2024', kindByName('InsightVariable'), 'x', taken)).toBe('2024');
    expect(assignKey('0190c4b2-1111-7000-8000-000000000001', kindByName('HogFunction'), 'x', taken)).toBe(
      'hog-function-0190c4b2-1111-7000-8000-000000000001',
    );
  });

  it('always produces keys that match the file key pattern', () => {
    const taken = new Set<string>();
    for (const name of ['', '!!!', 'a'.repeat(300), '_x_', '-', 'Ünïcödé', '123 go']) {
      expect(assignKey(name, insight, 1, taken)).toMatch(KEY_PATTERN);
    }
  });
});
