#!/usr/bin/env node
// npm run bench [-- --quick] [--latency-ms 100] [--item-ms 3] [--basic-item-ms 0.5] [--scale 30] [--concurrency 16]
//
// Measures pull, diff and push against the emulator with PostHog's real rate limits
// scaled by a time factor, prints each figure beside its lower bound (bounds.mjs) and
// beside a naive one-request-at-a-time baseline, and writes bench/results/latest.json.
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEV_API_KEY, startEmulator } from '../dist/emulator/index.js';
import { POSTHOG_RATE_LIMITS, scaleRateLimits } from '../dist/posthog/rate-limiter.js';
import { pullBound, pushBound } from './bounds.mjs';
import { naivePull, naiveWrites } from './naive.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'hogsync.js');
const PAGE = 500;

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'latency-ms': { type: 'string', default: '100' },
    'item-ms': { type: 'string', default: '3' },
    // PostHog's light insight serializer (?basic=true) skips the full one's per-row cache lookups,
    // permission checks and alerts: modelled as a sixth of its time per row.
    'basic-item-ms': { type: 'string', default: '0.5' },
    scale: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '16' },
    'read-concurrency': { type: 'string', default: '4' },
    sizes: { type: 'string' },
  },
});
const latencyMs = Number(args['latency-ms']);
const perItemMs = Number(args['item-ms']);
const basicItemMs = Number(args['basic-item-ms']);
const scale = Number(args.scale);
const writeConcurrency = Number(args.concurrency);
const readConcurrency = Number(args['read-concurrency']);
// The small-project row (250 insights) comes first in every run.
const sizes = args.sizes ? args.sizes.split(',').map(Number) : args.quick ? [250, 1000] : [250, 1000, 10000];
const writes = args.quick ? 100 : 1000;
const TILES = 10;
const limits = scaleRateLimits(POSTHOG_RATE_LIMITS, scale);

/**
 * The resources around `insights` insights: hog functions, and the configuration around the
 * insights (dashboards of ten insight tiles and a text tile each, alerts on trends insights,
 * actions, and cohorts of which every other one names the one before). A small project has
 * no more hog functions than insights.
 */
function workload(insights) {
  const others = Math.min(args.quick ? 100 : 1000, insights);
  return {
    others,
    // PostHog's variable list has no order at all (posthog-api.md §10), so a list longer than its one
    // 500-row page must be read again until the pages add up; projects rarely have that many, and the
    // bench keeps to one page so its bounds stay what PostHog imposes on every project.
    variableCount: Math.min(others, 500),
    dashboardCount: Math.floor(others / 10),
    alertCount: Math.floor(others / 5),
    actionCount: Math.floor(others / 20),
    cohortCount: Math.floor(others / 20),
  };
}

// Each SQL insight and each hog function has code of its own, as in a real project: PostHog's
// parser, which diff and push run on what changed, parses every distinct text once.
const sql = (i) =>
  `SELECT event, count() AS total_${i}\nFROM events\nWHERE event = 'event_${i}' AND timestamp > now() - INTERVAL ${(i % 90) + 1} DAY\nGROUP BY event\nORDER BY total_${i} DESC\nLIMIT ${i + 1}`;
const hog = (i) =>
  `let res := fetch(inputs.url, {'method': 'POST', 'body': {'event': event, 'destination': ${i}}})\nif (res.status >= 400) {\n  throw Error('destination ${i} failed')\n}`;

function seedDoc(insights) {
  const { others, variableCount, dashboardCount, alertCount, actionCount, cohortCount } = workload(insights);
  const variables = Array.from({ length: variableCount }, (_, i) => ({
    name: `Bench var ${i}`,
    type: i % 2 ? 'Number' : 'String',
    default_value: i % 2 ? i : `v${i}`,
  }));
  const kinds = [
    (i) => ({
      kind: 'InsightVizNode',
      source: {
        kind: 'TrendsQuery',
        series: [{ kind: 'EventsNode', event: `event_${i % 97}`, math: 'total' }],
        interval: 'day',
        dateRange: { date_from: '-30d' },
      },
    }),
    (i) => ({
      kind: 'InsightVizNode',
      source: {
        kind: 'FunnelsQuery',
        series: [
          { kind: 'EventsNode', event: 'signed_up' },
          { kind: 'EventsNode', event: `step_${i % 13}` },
        ],
      },
    }),
    () => ({ kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*', 'event', 'timestamp'] } }),
    (i) => ({ kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: sql(i) } }),
  ];
  // Insight ids follow seeding order (1, 2, …): tiles name them; alerts go on trends insights (the first of each kinds.length).
  const alerting = (i) => i % kinds.length === 0 && i / kinds.length < alertCount;
  const layout = (t) => ({
    sm: { i: String(t), x: (t % 2) * 6, y: Math.floor(t / 2) * 5, w: 6, h: 5, minW: 3, minH: 5, moved: false, static: false },
  });
  return {
    projects: [
      {
        id: 1,
        name: 'Bench',
        actions: Array.from({ length: actionCount }, (_, i) => ({
          name: `Bench action ${i}`,
          steps: [{ event: `event_${i}` }, { event: '$pageview', url: `/page-${i}` }],
        })),
        cohorts: Array.from({ length: cohortCount }, (_, i) => ({
          id: i + 1,
          name: `Bench cohort ${i}`,
          filters: {
            properties: {
              type: 'AND',
              values: [
                i % 2 ? { type: 'cohort', key: 'id', value: i } : { type: 'person', key: 'plan', operator: 'exact', value: [`plan-${i}`] },
              ],
            },
          },
        })),
        dashboards: Array.from({ length: dashboardCount }, (_, d) => ({
          name: `Bench dashboard ${d}`,
          tiles: [
            ...Array.from({ length: TILES }, (_, t) => ({ insight: ((d * TILES + t) % insights) + 1, layouts: layout(t) })),
            { text: { body: `Notes ${d}` }, layouts: layout(TILES) },
          ],
        })),
        insight_variables: variables,
        insights: Array.from({ length: insights }, (_, i) => ({
          name: `Bench insight ${i}`,
          description: `Insight number ${i}`,
          tags: ['bench'],
          query: kinds[i % kinds.length](i),
          ...(alerting(i)
            ? {
                alerts: [
                  {
                    name: `Bench alert ${i}`,
                    threshold: { configuration: { type: 'absolute', bounds: { lower: i } } },
                    subscribed_users: [1],
                  },
                ],
              }
            : {}),
        })),
        hog_functions: Array.from({ length: others }, (_, i) => ({
          name: `Bench destination ${i}`,
          type: 'destination',
          enabled: false,
          hog: hog(i),
          inputs_schema: [{ key: 'url', type: 'string', label: 'URL', required: true }],
          inputs: { url: { value: `https://hooks.example.com/${i}` } },
        })),
      },
    ],
  };
}

/** hogsync's reads: insights in the light serializer (`basic=true`), unless `insightRowMs` says otherwise. */
function readLists(insights, concurrency = readConcurrency, insightRowMs = basicItemMs) {
  const { others, variableCount, dashboardCount, alertCount, actionCount, cohortCount } = workload(insights);
  return {
    lists: [
      { n: insights, pageSize: PAGE, bucket: 'insights', perItemMs: insightRowMs },
      { n: others, pageSize: PAGE, bucket: 'crud' },
      { n: variableCount, pageSize: 500, bucket: 'crud' },
      { n: dashboardCount, pageSize: PAGE, bucket: 'crud', retrieve: { rows: 1 + TILES } },
      { n: alertCount, pageSize: PAGE, bucket: 'crud' },
      // PostHog answers the action list in one page.
      { n: actionCount, pageSize: Infinity, bucket: 'crud' },
      { n: cohortCount, pageSize: PAGE, bucket: 'crud' },
    ],
    latencyMs,
    perItemMs,
    concurrency,
    limits,
  };
}

// Workspaces live on tmpfs when there is one: the bench measures hogsync against PostHog's
// bounds, not this machine's disk (creating 12,000 files costs 1-4 s here, and varies).
const SCRATCH = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();

/** Every folder the bench makes, removed when it ends: done, failed or interrupted. */
const scratchDirs = [];
/** hogsync processes still running, stopped before their folders go (they would write them back). */
const children = new Set();
function scratch(prefix) {
  const dir = mkdtempSync(join(SCRATCH, prefix));
  scratchDirs.push(dir);
  return dir;
}
function removeScratch() {
  for (const dir of scratchDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of children) child.kill('SIGKILL');
    removeScratch();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  });
}

function workspace(url) {
  const dir = scratch('hogsync-bench-');
  writeFileSync(
    join(dir, 'hogsync.yaml'),
    `environments:\n  bench:\n    host: ${url}\n    project: 1\n    concurrency: ${readConcurrency}\n    rate_limits:\n      scale: ${scale}\n`,
  );
  return dir;
}

function run(dir, cliArgs) {
  const timings = join(dir, '.timings.json');
  // Every measured run follows emu.reset(), which forgets the emulator's windows: the memory of
  // earlier runs (.hogsync/rate) goes too, or the run would wait for requests nobody counts any more.
  rmSync(join(dir, '.hogsync', 'rate'), { recursive: true, force: true });
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [BIN, ...cliArgs], {
      cwd: dir,
      env: { PATH: process.env.PATH, POSTHOG_PERSONAL_API_KEY: DEV_API_KEY, HOGSYNC_TIMINGS: timings, NO_COLOR: '1' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.add(child);
    child.on('exit', () => children.delete(child));
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = Date.now() - t0;
      let t = {};
      try {
        t = JSON.parse(readFileSync(timings, 'utf8'));
      } catch {
        // no timings: the run failed early
      }
      if (code !== 0 && code !== 2) reject(new Error(`hogsync ${cliArgs.join(' ')} exited ${code}: ${stderr}`));
      else resolve({ ...t, wallMs });
    });
  });
}

function requestsSince(emu, seq) {
  const list = emu.requests().filter((r) => r.seq > seq);
  return { total: list.length, throttled: list.filter((r) => r.status === 429).length };
}

function lastSeq(emu) {
  const list = emu.requests();
  return list.length ? list[list.length - 1].seq : 0;
}

function editInsights(dir, count) {
  const folder = join(dir, 'posthog', 'insights');
  const files = readdirSync(folder).sort().slice(0, count);
  for (const f of files) {
    const path = join(folder, f);
    writeFileSync(path, readFileSync(path, 'utf8').replace(/description: (.*)/, 'description: $1 (edited)'));
  }
}

function addInsights(dir, count) {
  for (let i = 0; i < count; i++) {
    writeFileSync(
      join(dir, 'posthog', 'insights', `new-bench-${i}.yaml`),
      `apiVersion: hogsync/v1\nkind: Insight\nkey: new-bench-${i}\nspec:\n  name: New bench insight ${i}\n  query:\n    kind: DataTableNode\n    source:\n      kind: EventsQuery\n      select: ["*"]\n`,
    );
  }
}

const results = [];
function record(row) {
  results.push(row);
  const ratio = row.boundMs ? (row.wallMs / row.boundMs).toFixed(2) : '—';
  if (!row.boundMs) {
    process.stderr.write(`  ${row.name} @ ${row.size}: ${row.wallMs} ms, peak RSS ${Math.round(row.maxRssMb ?? 0)} MB\n`);
    return;
  }
  const naive = row.naiveMs ? `${(row.naiveMs / row.boundMs).toFixed(2)}×` : '—';
  const phases = ['fetchMs', 'readFilesCpuMs', 'planCpuMs', 'differCpuMs', 'applyMs']
    .filter((k) => row[k] !== undefined)
    .map((k) => `${k} ${Math.round(row[k])}`);
  process.stderr.write(
    `  ${row.name} @ ${row.size}: ${row.wallMs} ms (bound ${row.boundMs} ms, ${ratio}×; naive ${naive}), ${row.requests} requests, ${row.throttled} × 429${phases.length ? `; ${phases.join(', ')}` : ''}\n`,
  );
}

const emu = await startEmulator({
  faults: { latencyMs, latencyPerItemMs: perItemMs, latencyPerBasicItemMs: basicItemMs },
  rateLimits: { enabled: true, scale },
});
const started = Date.now();
try {
  let pristine;
  for (const size of sizes) {
    const w = workload(size);
    process.stderr.write(
      `seeding ${size} insights, ${w.others} hog functions, ${w.variableCount} variables, ${w.dashboardCount} dashboards, ${w.alertCount} alerts, ${w.actionCount} actions, ${w.cohortCount} cohorts…\n`,
    );
    emu.reset(seedDoc(size));
    const dir = workspace(emu.url);

    let seq = lastSeq(emu);
    const pull = await run(dir, ['pull']);
    const pullReq = requestsSince(emu, seq);
    const pb = pullBound(readLists(size));
    // What the same pull could not beat with the full insight serializer, as before basic=true.
    const fullBound = pullBound(readLists(size, readConcurrency, perItemMs));
    emu.reset(seedDoc(size));
    const naive = await naivePull({ host: emu.url, project: 1, key: DEV_API_KEY, dir: scratch('hogsync-naive-') });
    record({
      name: 'pull',
      size,
      wallMs: pull.wallMs,
      boundMs: pb.ms,
      fullSerializerBoundMs: fullBound.ms,
      minRequests: pb.requests,
      requests: pullReq.total,
      throttled: pullReq.throttled,
      maxRssMb: pull.maxRssMb,
      cpuMs: pull.cpuMs,
      naiveMs: naive.ms,
      naiveRequests: naive.requests,
    });

    emu.reset(seedDoc(size));
    seq = lastSeq(emu);
    const diff = await run(dir, ['diff']);
    const diffReq = requestsSince(emu, seq);
    record({
      name: 'diff',
      size,
      wallMs: diff.wallMs,
      boundMs: pb.ms,
      requests: diffReq.total,
      throttled: diffReq.throttled,
      maxRssMb: diff.maxRssMb,
      differCpuMs: diff.planCpu,
      fetchMs: diff.fetchWall,
      readFilesCpuMs: diff.readFilesCpu,
    });
    // Every Hog and HogQL text is distinct: the first validate parses them all; the second finds the verdicts in .hogsync/cache/.
    const validate = await run(dir, ['validate']);
    record({
      name: 'validate',
      size,
      wallMs: validate.wallMs,
      maxRssMb: validate.maxRssMb,
      cpuMs: validate.cpuMs,
      requests: 0,
      throttled: 0,
    });
    const cached = await run(dir, ['validate']);
    record({
      name: 'validate (cached)',
      size,
      wallMs: cached.wallMs,
      maxRssMb: cached.maxRssMb,
      cpuMs: cached.cpuMs,
      requests: 0,
      throttled: 0,
    });
    pristine = { dir, size };
  }

  const { dir: base, size } = pristine;
  const push = async (name, prepare, naiveWritesList) => {
    const dir = scratch('hogsync-bench-push-');
    cpSync(base, dir, { recursive: true });
    prepare(dir);
    emu.reset(seedDoc(size));
    const seq = lastSeq(emu);
    const r = await run(dir, ['push', '--yes', '--concurrency', String(writeConcurrency)]);
    const req = requestsSince(emu, seq);
    // push reads pages with the environment's concurrency and writes with --concurrency.
    const bound = pushBound({
      read: readLists(size),
      writes,
      bucket: 'insights',
      latencyMs,
      perItemMs,
      concurrency: writeConcurrency,
      limits,
    });
    emu.reset(seedDoc(size));
    const naive = await naiveWrites({ host: emu.url, project: 1, key: DEV_API_KEY, writes: naiveWritesList() });
    record({
      name,
      size,
      wallMs: r.wallMs,
      boundMs: bound.ms,
      minRequests: bound.requests,
      requests: req.total,
      throttled: req.throttled,
      maxRssMb: r.maxRssMb,
      fetchMs: r.fetchWall,
      readFilesCpuMs: r.readFilesCpu,
      planCpuMs: r.planCpu,
      applyMs: r.applyWall,
      naiveMs: naive.ms,
      naiveRequests: naive.requests,
    });
    rmSync(dir, { recursive: true, force: true });
  };
  const ids = () =>
    emu
      .project(1)
      .insights.slice(0, writes)
      .map((i) => i.id);
  await push(
    `push ${writes} updates`,
    (dir) => editInsights(dir, writes),
    () => ids().map((id) => ({ method: 'PATCH', path: `insights/${id}/`, body: { description: 'edited' } })),
  );
  await push(
    `push ${writes} creates`,
    (dir) => addInsights(dir, writes),
    () =>
      Array.from({ length: writes }, (_, i) => ({
        method: 'POST',
        path: 'insights/',
        body: { name: `Naive ${i}`, query: { kind: 'DataTableNode', source: { kind: 'EventsQuery', select: ['*'] } } },
      })),
  );
} finally {
  await emu.close();
  removeScratch();
}

const bySize = (name, s) => results.find((r) => r.name === name && r.size === s);
// Growth is judged between the two largest sizes (the small-project row has fewer hog functions).
const small = sizes[Math.max(0, sizes.length - 2)];
const large = sizes[sizes.length - 1];
const checks = [];
const check = (what, ok, detail) => checks.push({ what, ok, detail });
// Pull's bound grows looser for small projects, where fixed costs (Node's start-up, the first
// round trip) weigh more: 1.5× at 250 insights, 1.3× at 1,000, 1.2× at 10,000 (issue 22).
const pullFactor = (size) => (size <= 250 ? 1.5 : size <= 1000 ? 1.3 : 1.2);
for (const r of results.filter((x) => x.name === 'pull'))
  check(
    `pull @ ${r.size} within ${pullFactor(r.size)}× of its bound`,
    r.wallMs <= pullFactor(r.size) * r.boundMs,
    `${(r.wallMs / r.boundMs).toFixed(2)}×`,
  );
// diff reads every file before its first request, and then lists what pull lists.
for (const r of results.filter((x) => x.name === 'diff'))
  check(
    `diff @ ${r.size} within 1.1× of pull`,
    r.wallMs <= 1.1 * bySize('pull', r.size).wallMs,
    `${(r.wallMs / bySize('pull', r.size).wallMs).toFixed(2)}×`,
  );
for (const r of results.filter((x) => x.name.startsWith('push'))) {
  if (r.size === large && large >= 10_000)
    check(`${r.name} @ ${r.size} within 1.2× of its bound`, r.wallMs <= 1.2 * r.boundMs, `${(r.wallMs / r.boundMs).toFixed(2)}×`);
}
check(
  'zero 429 responses',
  results.every((r) => r.throttled === 0),
  results.map((r) => r.throttled).join('/'),
);
// A validate whose verdicts are kept reads, checks and cross-checks every file but parses none.
check(
  `validate @ ${large} with its verdicts kept under a third of the first`,
  bySize('validate (cached)', large).wallMs < bySize('validate', large).wallMs / 3,
  `${(bySize('validate (cached)', large).wallMs / 1000).toFixed(1)} s of ${(bySize('validate', large).wallMs / 1000).toFixed(1)} s`,
);
check(`differ CPU @ ${large} under 2 s`, bySize('diff', large).differCpuMs < 2000, `${Math.round(bySize('diff', large).differCpuMs)} ms`);
check(
  `peak RSS of pull/diff @ ${large} under 500 MB`,
  Math.max(bySize('pull', large).maxRssMb, bySize('diff', large).maxRssMb) < 500,
  `${Math.round(Math.max(bySize('pull', large).maxRssMb, bySize('diff', large).maxRssMb))} MB`,
);
for (const name of small === large ? [] : ['pull', 'diff']) {
  const growth = bySize(name, large).cpuMs ?? bySize(name, large).wallMs;
  const g = bySize(name, large).wallMs / bySize(name, small).wallMs;
  check(`${name} cost grows linearly (${large}/${small} within ${(large / small) * 1.2}×)`, g <= (large / small) * 1.2, `${g.toFixed(1)}×`);
  void growth;
}

const table = [
  '| measure | resources | wall | lower bound | ratio | naive baseline | naive ratio | requests (min) | 429s | peak RSS |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.name}${r.differCpuMs !== undefined ? ` (differ CPU ${Math.round(r.differCpuMs)} ms)` : ''} | ${r.size} | ${(r.wallMs / 1000).toFixed(2)} s | ${r.boundMs ? `${(r.boundMs / 1000).toFixed(2)} s` : '—'} | ${r.boundMs ? `${(r.wallMs / r.boundMs).toFixed(2)}×` : '—'} | ${r.naiveMs ? `${(r.naiveMs / 1000).toFixed(2)} s` : '—'} | ${r.naiveMs ? `${(r.naiveMs / r.boundMs).toFixed(2)}×` : '—'} | ${r.requests}${r.minRequests ? ` (${r.minRequests})` : ''} | ${r.throttled} | ${r.maxRssMb ? `${Math.round(r.maxRssMb)} MB` : '—'} |`,
  ),
];
const serializer = results
  .filter((r) => r.fullSerializerBoundMs !== undefined)
  .map(
    (r) =>
      `pull @ ${r.size}: bound ${(r.boundMs / 1000).toFixed(2)} s with basic=true, ${(r.fullSerializerBoundMs / 1000).toFixed(2)} s with the full serializer`,
  )
  .join('; ');
process.stdout.write(
  `\nhogsync bench: latency ${latencyMs} ms + ${perItemMs} ms per row (${basicItemMs} ms per light-serializer row), rate limits scaled ×${scale}, read concurrency ${readConcurrency}, write concurrency ${writeConcurrency}, ${((Date.now() - started) / 1000).toFixed(0)} s\n\n${table.join('\n')}\n\nInsights are listed with basic=true: ${serializer}.\n\n`,
);
for (const c of checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'} ${c.what}: ${c.detail}\n`);

const out = join(ROOT, 'bench', 'results', 'latest.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ date: new Date().toISOString(), node: process.version, params: { latencyMs, perItemMs, basicItemMs, scale, readConcurrency, writeConcurrency, quick: args.quick }, results, checks }, null, 2)}\n`,
);
process.stdout.write(`\nwrote ${out}\n`);
process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
