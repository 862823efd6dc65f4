import { describe, expect, it } from 'vitest';
import { parseYaml } from '../../src/store/yaml.js';
import { billionLaughs } from '../helpers/hostile.js';

describe('YAML anchors and aliases', () => {
  it.each([
    ['on a block mapping', 'spec:\n  query: &q\n    kind: X\n  other: *q\n', 'x.yaml:2:10'],
    ['on a scalar', 'spec:\n  name: &n Weekly\n  description: *n\n', 'x.yaml:2:9'],
    ['on a flow sequence', 'tags: &t [a, b]\n', 'x.yaml:1:7'],
    ['on a key', '&k name: x\n', 'x.yaml:1:1'],
    ['in a merge key', 'base: &b {a: 1}\nx:\n  <<: *b\n', 'x.yaml:1:7'],
  ])('are refused in resource files %s, at the anchor', (_name, text, where) => {
    expect(() => parseYaml(text, 'x.yaml')).toThrow(`${where}: YAML anchors and aliases`);
  });

  it('a billion-laughs bomb is refused in milliseconds', () => {
    const t = performance.now();
    expect(() => parseYaml(`spec:\n${billionLaughs('  ')}`, 'bomb.yaml')).toThrow(
      /^bomb\.yaml:2:7: YAML anchors and aliases \(&a0\) are not allowed in resource files/,
    );
    expect(performance.now() - t).toBeLessThan(200);
  });

  it('"&" and "*" inside values are just text', () => {
    const text =
      'spec:\n  url: https://x.test/?a=1&b=2\n  q: "a & b"\n  hog: |\n    &notAnAnchor\n    *notAnAlias\n  sql: select count(*) from events\n';
    expect(parseYaml(text, 'x.yaml').value).toEqual({
      spec: { url: 'https://x.test/?a=1&b=2', q: 'a & b', hog: '&notAnAnchor\n*notAnAlias\n', sql: 'select count(*) from events' },
    });
  });

  it('hogsync.yaml may share a value between environments, but an alias bomb there is refused too', () => {
    const shared =
      'environments:\n  production:\n    host: &host https://eu.posthog.com\n    project: 1\n  staging:\n    host: *host\n    project: 2\n';
    expect(parseYaml(shared, 'hogsync.yaml', { anchors: 'bounded' }).value).toEqual({
      environments: { production: { host: 'https://eu.posthog.com', project: 1 }, staging: { host: 'https://eu.posthog.com', project: 2 } },
    });
    const t = performance.now();
    expect(() => parseYaml(billionLaughs(), 'hogsync.yaml', { anchors: 'bounded' })).toThrow(
      /^hogsync\.yaml: its YAML aliases expand to more than a billion values \(at most 100,000\)/,
    );
    expect(performance.now() - t).toBeLessThan(200);
  });
});
