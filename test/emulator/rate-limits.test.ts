import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { defaultRateLimits, Throttler } from '../../src/emulator/throttle.js';
import { DEV_API_KEY, EMPTY, project, start } from './helpers.js';

describe('DRF SimpleRateThrottle semantics', () => {
  const settings = (insights: Array<{ limit: number; windowSeconds: number }>) => ({
    enabled: true,
    scale: 1,
    buckets: { insights, crud: [] },
  });

  it('keeps a sliding window of request times; a refused request is not recorded; wait = remaining / (limit - len + 1)', () => {
    let now = 1000;
    const t = new Throttler(settings([{ limit: 3, windowSeconds: 60 }]), () => now);
    expect(t.check('k', 'insights')).toBeUndefined(); // t=1000
    now = 1010;
    expect(t.check('k', 'insights')).toBeUndefined();
    now = 1020;
    expect(t.check('k', 'insights')).toBeUndefined();
    now = 1030;
    // history [1020, 1010, 1000]: remaining = 60 - (1030 - 1000) = 30, available = 3 - 3 + 1 = 1
    expect(t.check('k', 'insights')).toEqual({ wait: 30 });
    now = 1059;
    expect(t.check('k', 'insights')).toEqual({ wait: 1 }); // the refusal at 1030 was not recorded
    now = 1060; // the request at 1000 leaves the window (<= now - duration)
    expect(t.check('k', 'insights')).toBeUndefined();
  });

  it('applies burst and sustained windows together and reports the longest wait; an allowing rule still records', () => {
    let now = 0;
    const t = new Throttler(
      settings([
        { limit: 2, windowSeconds: 10 },
        { limit: 3, windowSeconds: 100 },
      ]),
      () => now,
    );
    t.check('k', 'insights');
    t.check('k', 'insights');
    now = 5;
    expect(t.check('k', 'insights')).toEqual({ wait: 5 }); // burst refuses; sustained records it (3 of 3)
    now = 11;
    // burst: window empty again → allows and records; sustained: full (0, 0, 5) → wait (100 - 11) / 1
    expect(t.check('k', 'insights')).toEqual({ wait: 89 });
  });

  it('keeps one window per key', () => {
    const t = new Throttler(settings([{ limit: 1, windowSeconds: 60 }]), () => 0);
    expect(t.check('a', 'insights')).toBeUndefined();
    expect(t.check('a', 'insights')).toBeDefined();
    expect(t.check('b', 'insights')).toBeUndefined();
  });

  it("uses PostHog's rates: ClickHouse 240/min + 1200/h for insights, 480/min + 4800/h for the rest", () => {
    expect(defaultRateLimits().buckets).toEqual({
      insights: [
        { limit: 240, windowSeconds: 60 },
        { limit: 1200, windowSeconds: 3600 },
      ],
      crud: [
        { limit: 480, windowSeconds: 60 },
        { limit: 4800, windowSeconds: 3600 },
      ],
    });
  });
});

describe('rate limits over HTTP', () => {
  let emu: Emulator;
  const OTHER = 'phx_fake_second_key';
  beforeAll(async () => {
    emu = await start({
      seed: EMPTY,
      keys: [
        { key: DEV_API_KEY, scopes: ['*'] },
        { key: OTHER, scopes: ['*'] },
      ],
    });
  });
  afterAll(() => emu.close());
  beforeEach(() => {
    emu.reset();
    emu.setRateLimits({
      enabled: true,
      scale: 1,
      buckets: { insights: [{ limit: 3, windowSeconds: 60 }], crud: [{ limit: 5, windowSeconds: 60 }] },
    });
  });

  it('throttles insight endpoints in the insights (ClickHouse) bucket and everything else in the crud bucket', async () => {
    for (let n = 0; n < 3; n++) expect((await project(emu).get('insights/')).status).toBe(200);
    expect((await project(emu).post('insights/', { name: 'x' })).status).toBe(429);
    expect((await project(emu).get('insight_variables/')).status).toBe(200);
    expect((await project(emu).get('hog_functions/')).status).toBe(200);
    const log = emu.requests();
    expect(log.map((r) => r.bucket)).toEqual(['insights', 'insights', 'insights', 'insights', 'crud', 'crud']);
  });

  it('refuses with 429 throttled_error "Request was throttled. Expected available in N seconds." and Retry-After: N', async () => {
    for (let n = 0; n < 3; n++) await project(emu).get('insights/');
    const r = await project(emu).get('insights/');
    expect(r.status).toBe(429);
    expect(r.body).toMatchObject({ type: 'throttled_error', code: 'throttled', attr: null });
    const wait = Number(r.headers.get('retry-after'));
    expect(Number.isInteger(wait)).toBe(true);
    expect(wait).toBeGreaterThanOrEqual(59);
    expect(wait).toBeLessThanOrEqual(60);
    expect(r.body.detail).toBe(`Request was throttled. Expected available in ${wait} seconds.`);
  });

  it('keeps a window per personal API key, and never throttles requests that fail authentication', async () => {
    for (let n = 0; n < 4; n++) await project(emu).get('insights/');
    expect((await project(emu, 1, { key: OTHER }).get('insights/')).status).toBe(200);
    expect((await project(emu, 1, { key: null }).get('insights/')).status).toBe(401);
    expect((await project(emu, 1, { key: 'phx_fake_unknown' }).get('insights/')).status).toBe(401);
  });

  it('shrinks the windows by scale (scale 60: a per-minute limit applies per second)', async () => {
    emu.setRateLimits({ scale: 60, buckets: { insights: [{ limit: 2, windowSeconds: 60 }], crud: [{ limit: 100, windowSeconds: 60 }] } });
    await project(emu).get('insights/');
    await project(emu).get('insights/');
    const refused = await project(emu).get('insights/');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.body.detail).toBe('Request was throttled. Expected available in 1 second.');
    await new Promise((r) => setTimeout(r, 1050));
    expect((await project(emu).get('insights/')).status).toBe(200);
  });

  it('can be switched off', async () => {
    emu.setRateLimits({ enabled: false });
    for (let n = 0; n < 6; n++) expect((await project(emu).get('insights/')).status).toBe(200);
  });
});
