import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveTarget, resolveWorkspace } from '../../src/config/target.js';
import { formatDuration, parseDuration } from '../../src/duration.js';
import { ConfigError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp.js';

function targetWith(rateLimits: string, env: NodeJS.ProcessEnv = {}) {
  const dir = tempDir('max-wait');
  writeFileSync(
    join(dir, 'hogsync.yaml'),
    `version: 1\nenvironments:\n  production:\n    host: https://us.posthog.com\n    project: 1\n    rate_limits:\n${rateLimits}`,
  );
  return resolveTarget(resolveWorkspace({}, dir), {}, env);
}

describe('durations', () => {
  it.each([
    ['300', 300_000],
    ['90s', 90_000],
    ['5m', 300_000],
    ['5 min', 300_000],
    ['1.5h', 5_400_000],
    ['2 hours', 7_200_000],
    ['250ms', 250],
    [45, 45_000],
  ] as const)('reads %j', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['soon', '-5m', '5 days', ''])('refuses %j', (text) => expect(parseDuration(text)).toBeUndefined());

  it.each([
    [10_000, '10 s'],
    [90_000, '1 min 30 s'],
    [180_000, '3 min'],
    [3_599_000, '60 min'],
    [5 * 3_600_000, '5 h'],
    [999_999_000, '11.6 days'],
  ])('says %d ms as %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('rate_limits.max_wait', () => {
  it('is 3 minutes unless set', () => {
    expect(targetWith('      share: 1\n').maxWaitMs).toBe(180_000);
  });

  it('is read from hogsync.yaml, even with the client-side limits off, and HOGSYNC_MAX_WAIT overrides it', () => {
    expect(targetWith('      enabled: false\n      max_wait: 10m\n').maxWaitMs).toBe(600_000);
    expect(targetWith('      max_wait: 45\n').maxWaitMs).toBe(45_000);
    expect(targetWith('      max_wait: 10m\n', { HOGSYNC_MAX_WAIT: '1h' }).maxWaitMs).toBe(3_600_000);
  });

  it('refuses what is not a duration, at file:line:col or naming the variable', () => {
    expect(() => targetWith('      max_wait: soon\n')).toThrow(
      /hogsync\.yaml:7:17: "max_wait" is not valid: expected a duration such as 3m, 90s or 1h/,
    );
    expect(() => targetWith('      share: 1\n', { HOGSYNC_MAX_WAIT: 'soon' })).toThrow(ConfigError);
    expect(() => targetWith('      share: 1\n', { HOGSYNC_MAX_WAIT: 'soon' })).toThrow(
      'HOGSYNC_MAX_WAIT="soon" is not a duration: write it like 3m, 90s or 1h.',
    );
  });
});
