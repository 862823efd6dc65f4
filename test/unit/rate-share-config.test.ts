import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTarget, resolveWorkspace } from '../../src/config/target.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp.js';

function targetWith(rateLimits: string, env: NodeJS.ProcessEnv = {}) {
  const dir = tempDir('share');
  writeFileSync(
    join(dir, 'hogsync.yaml'),
    `version: 1\nenvironments:\n  production:\n    host: https://us.posthog.com\n    project: 1\n    rate_limits:\n${rateLimits}`,
  );
  return resolveTarget(resolveWorkspace({}, dir), {}, env);
}

describe('rate_limits.share in hogsync.yaml', () => {
  it("takes that fraction of each of PostHog's windows (four jobs on one key: 0.25 each)", () => {
    expect(targetWith('      share: 0.25\n').rateLimits).toEqual({
      insights: [
        { limit: 60, windowMs: 60_000 },
        { limit: 300, windowMs: 3_600_000 },
      ],
      crud: [
        { limit: 120, windowMs: 60_000 },
        { limit: 1200, windowMs: 3_600_000 },
      ],
    });
  });

  it('applies to limits written in the file and to scaled windows alike', () => {
    expect(targetWith('      share: 0.5\n      scale: 60\n      insights: [10/1s]\n').rateLimits.insights).toEqual([
      { limit: 5, windowMs: 1000 / 60 },
    ]);
  });

  it.each([
    ['0', /hogsync\.yaml:7:14: "share" must be > 0/],
    ['1.5', /hogsync\.yaml:7:14: "share" must be <= 1/],
    ['half', /hogsync\.yaml:7:14: "share" must be a number/],
  ])('refuses share: %s with file:line:col', (value, message) => {
    expect(() => targetWith(`      share: ${value}\n`)).toThrow(ConfigError);
    expect(() => targetWith(`      share: ${value}\n`)).toThrow(message);
  });
});
