import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { demoSeedPath, loadSeed, type Emulator, type SeedDoc } from '../../src/emulator/index.js';
import { call, DEV_API_KEY, project, start, trendsQuery } from './helpers.js';
import { tempDir } from '../helpers/temp.js';

const SEED: SeedDoc = {
  projects: [
    {
      id: 1,
      name: 'One',
      insights: [{ name: 'Seeded', query: trendsQuery() }],
      hog_functions: [
        {
          name: 'Hook',
          hog: "fetch(inputs.url, {'headers': {'Authorization': inputs.token}})",
          inputs_schema: [
            { key: 'url', type: 'string' },
            { key: 'token', type: 'string', secret: true },
          ],
          inputs: { url: { value: 'https://x' }, token: { value: 'Bearer fake-seed-token' } },
        },
      ],
    },
    { id: 2, name: 'Two' },
  ],
};

describe('controls', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await start({ seed: SEED });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.reset());

  it('POST /_emulator/reset restores the initial seed, or loads the SeedDoc in its body', async () => {
    await project(emu).post('insights/', { name: 'Extra' });
    expect((await call(emu, 'POST', '/_emulator/reset')).body).toEqual({ ok: true });
    expect((await project(emu).get('insights/')).body.count).toBe(1);
    await call(emu, 'POST', '/_emulator/reset', { projects: [{ id: 5, name: 'Five' }] });
    expect((await project(emu, 5).get('')).body.name).toBe('Five');
    expect((await project(emu, 1).get('')).status).toBe(404);
  });

  it('POST /_emulator/seed adds to the current state through POST validation, and a bad seed changes nothing', async () => {
    const ok = await call(emu, 'POST', '/_emulator/seed', {
      projects: [{ id: 2, name: 'Two', insight_variables: [{ name: ' Plan ', type: 'List' }] }],
    });
    expect(ok.status).toBe(200);
    const v = (await project(emu, 2).get('insight_variables/')).body.results[0];
    expect(v).toMatchObject({ name: 'Plan', code_name: 'plan', values: [] });
    const bad = await call(emu, 'POST', '/_emulator/seed', {
      projects: [{ id: 2, name: 'Two', insights: [{ name: 'fine' }, { query: { kind: 'Nope' } }] }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toContain('project 2 insights[1]');
    expect((await project(emu, 2).get('insights/')).body.count).toBe(0);
  });

  it('logs every /api request (never the key) and counts them in /_emulator/stats; DELETE clears the log', async () => {
    await call(emu, 'DELETE', '/_emulator/requests');
    await project(emu).get('insights/?limit=1');
    await call(emu, 'GET', `/api/projects/1/insights/?personal_api_key=${DEV_API_KEY}`, undefined, { key: null });
    await project(emu).post('insight_variables/', { name: 'V', type: 'String' });
    await project(emu, 1, { key: null }).get('insights/');
    const log = (await call(emu, 'GET', '/_emulator/requests')).body;
    expect(log).toHaveLength(4);
    expect(log[0]).toMatchObject({
      seq: expect.any(Number),
      method: 'GET',
      path: '/api/projects/1/insights/',
      query: { limit: '1' },
      status: 200,
      bucket: 'insights',
      committed: false,
    });
    expect(log[0].key).toMatch(/^key_[0-9a-f]{8}$/);
    expect(log[2]).toMatchObject({ method: 'POST', status: 201, bucket: 'crud', committed: true });
    expect(JSON.stringify(log)).not.toContain(DEV_API_KEY);
    expect((await call(emu, 'GET', '/_emulator/stats')).body).toEqual({
      requests: 4,
      byStatus: { '200': 2, '201': 1, '401': 1 },
      writes: 1,
      throttled: 0,
    });
    await call(emu, 'DELETE', '/_emulator/requests');
    expect((await call(emu, 'GET', '/_emulator/requests')).body).toEqual([]);
  });

  it('reads and changes faults and rate limits with GET/PUT', async () => {
    const f = await call(emu, 'PUT', '/_emulator/faults', { latencyMs: 5, failStatus: 500 });
    expect(f.body).toMatchObject({ latencyMs: 5, failStatus: 500, failRate: 0 });
    expect((await call(emu, 'GET', '/_emulator/faults')).body.latencyMs).toBe(5);
    expect((await call(emu, 'PUT', '/_emulator/faults', { failRate: 2 })).status).toBe(400);
    await call(emu, 'PUT', '/_emulator/faults', { latencyMs: 0 });
    const r = await call(emu, 'PUT', '/_emulator/rate-limits', { enabled: true, buckets: { crud: [{ limit: 1, windowSeconds: 60 }] } });
    expect(r.body).toMatchObject({
      enabled: true,
      scale: 1,
      buckets: {
        crud: [{ limit: 1, windowSeconds: 60 }],
        insights: [
          { limit: 240, windowSeconds: 60 },
          { limit: 1200, windowSeconds: 3600 },
        ],
      },
    });
    await project(emu).get('hog_functions/');
    expect((await project(emu).get('hog_functions/')).status).toBe(429);
    await call(emu, 'PUT', '/_emulator/rate-limits', { enabled: false });
  });

  it('exposes the raw project store: secrets in plain text and soft-deleted rows', async () => {
    const i = (await project(emu).get('insights/')).body.results[0];
    await project(emu).patch(`insights/${i.id}/`, { deleted: true });
    const raw = (await call(emu, 'GET', '/_emulator/projects/1')).body;
    expect(raw.insights[0]).toMatchObject({ name: 'Seeded', deleted: true });
    expect(raw.hogFunctions[0].encrypted_inputs.token.value).toBe('Bearer fake-seed-token');
    expect((await call(emu, 'GET', '/_emulator/projects/9')).status).toBe(404);
  });

  it('seeds hog function logs and metrics through the control API', async () => {
    const fn = (await project(emu).get('hog_functions/')).body.results[0];
    const added = await call(emu, 'POST', `/_emulator/projects/1/hog_functions/${fn.id}/metrics`, [
      { timestamp: '-1h', name: 'succeeded', kind: 'success', count: 4 },
    ]);
    expect(added.body).toEqual({ added: 1 });
    expect((await project(emu).get(`hog_functions/${fn.id}/metrics/totals/`)).body.totals).toEqual({ success: 4 });
    expect((await call(emu, 'POST', `/_emulator/projects/1/hog_functions/${fn.id}/logs`, [{ nope: 1 }])).status).toBe(400);
  });
});

describe('state', () => {
  it('keeps projects isolated: the same code_name may exist in two projects, ids never leak across', async () => {
    const emu = await start({ seed: SEED });
    try {
      const a = await project(emu, 1).post('insight_variables/', { name: 'Country', type: 'String' });
      const b = await project(emu, 2).post('insight_variables/', { name: 'Country', type: 'String' });
      expect(a.body.id).not.toBe(b.body.id);
      expect((await project(emu, 2).get(`insight_variables/${a.body.id}/`)).status).toBe(404);
      // Insight ids are one sequence for the instance (PostHog's primary key), never reused across projects.
      const p1Ids = emu.project(1)?.insights.map((i) => i.id) ?? [];
      const created = (await project(emu, 2).post('insights/', { name: 'first in two' })).body.id;
      expect(p1Ids).not.toContain(created);
      expect((await project(emu, 2).get(`insights/${p1Ids[0] ?? 1}/`)).status).toBe(404);
    } finally {
      await emu.close();
    }
  });

  it('mints the same ids for the same seed and requests (golden files stay stable)', async () => {
    const snapshot = async () => {
      const emu = await start({ seed: SEED });
      try {
        await project(emu, 2).post('hog_functions/', { hog: 'return 1' });
        const p1 = emu.project(1);
        const fn = (await project(emu, 2).get('hog_functions/')).body.results[0].id;
        return { short: p1?.insights.map((i) => i.short_id), fns: p1?.hogFunctions.map((f) => f.id), fn };
      } finally {
        await emu.close();
      }
    };
    expect(await snapshot()).toEqual(await snapshot());
  });

  it('persists to stateFile after writes (atomically) and loads it at the next start', async () => {
    const dir = tempDir('emu-state');
    const stateFile = join(dir, 'state.json');
    const first = await start({ seed: SEED, stateFile });
    await project(first).post('insights/', { name: 'Survives restart' });
    await first.close();
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).version).toBe(1);
    const second = await start({ seed: SEED, stateFile });
    try {
      // order=id: the default order_by("order") has no tie-breaker, so its row order varies.
      const names = (await project(second).get('insights/?order=id')).body.results.map((i: { name: string }) => i.name);
      expect(names).toEqual(['Seeded', 'Survives restart']);
    } finally {
      await second.close();
    }
    writeFileSync(stateFile, '{broken');
    await expect(start({ stateFile })).rejects.toThrow(/not valid JSON/);
  });

  it('loads a seed folder of several JSON files, merging the same project', async () => {
    const dir = tempDir('emu-seed');
    mkdirSync(join(dir, 'parts'));
    writeFileSync(join(dir, 'parts', 'a.json'), JSON.stringify({ projects: [{ id: 1, name: 'P', insights: [{ name: 'A' }] }] }));
    writeFileSync(join(dir, 'parts', 'b.json'), JSON.stringify({ projects: [{ id: 1, name: 'P', insights: [{ name: 'B' }] }] }));
    const doc = await loadSeed(join(dir, 'parts'));
    expect(doc.projects[0]?.insights?.map((i) => i.name)).toEqual(['A', 'B']);
  });
});

describe('demo fixture', () => {
  it('loads project 1 "Demo" (every insight kind, variables, destinations, ordered transformations) and an empty project 2 "Staging"', async () => {
    const emu = await start({ seed: demoSeedPath() });
    try {
      const insights = (await project(emu).get('insights/')).body.results;
      expect(insights.length).toBeGreaterThanOrEqual(12);
      const kinds = new Set(
        insights.map((i: { query: { kind: string; source?: { kind: string } } }) =>
          i.query.kind === 'InsightVizNode' ? i.query.source?.kind : i.query.kind,
        ),
      );
      for (const k of [
        'TrendsQuery',
        'FunnelsQuery',
        'RetentionQuery',
        'PathsQuery',
        'StickinessQuery',
        'LifecycleQuery',
        'DataTableNode',
        'HogQuery',
        'DataVisualizationNode',
      ])
        expect(kinds).toContain(k);
      expect(insights.some((i: { query: { source?: { breakdownFilter?: unknown } } }) => i.query.source?.breakdownFilter)).toBe(true);
      const vars = (await project(emu).get('insight_variables/')).body.results;
      expect(new Set(vars.map((v: { type: string }) => v.type))).toEqual(new Set(['String', 'Number', 'List', 'Boolean', 'Date']));
      const sql = insights.find((i: { query: { kind: string } }) => i.query.kind === 'DataVisualizationNode');
      const byCode = Object.fromEntries(vars.map((v: { code_name: string; id: string }) => [v.code_name, v.id]));
      expect(Object.keys(sql.query.source.variables).sort()).toEqual([byCode.country, byCode.min_events].sort());
      expect(sql.query.source.query).toContain('{variables.country}');
      const fns = (await project(emu).get('hog_functions/?full=true')).body.results;
      const webhook = fns.find((f: { template: { id: string } | null }) => f.template?.id === 'template-webhook');
      expect(webhook.inputs.auth_header).toEqual({ secret: true });
      expect(fns.find((f: { template: { id: string } | null }) => f.template?.id === 'template-slack').enabled).toBe(false);
      const transformations = fns.filter((f: { type: string }) => f.type === 'transformation');
      expect(transformations.map((f: { execution_order: number; enabled: boolean }) => [f.execution_order, f.enabled])).toEqual([
        [1, true],
        [2, true],
        [3, true],
      ]);
      expect((await project(emu).get(`hog_functions/${webhook.id}/logs/`)).body.count).toBeGreaterThan(0);
      expect(Object.keys((await project(emu).get(`hog_functions/${webhook.id}/metrics/totals/`)).body.totals).length).toBeGreaterThan(0);
      const staging = await project(emu, 2).get('');
      expect(staging.body.name).toBe('Staging');
      for (const p of ['insights/', 'insight_variables/', 'hog_functions/']) expect((await project(emu, 2).get(p)).body.count).toBe(0);
    } finally {
      await emu.close();
    }
  });
});
