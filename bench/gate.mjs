#!/usr/bin/env node
// npm run build && node bench/gate.mjs [--insights 300] [--runs 5] [--serve]
//
// What the validation gate costs a diff in a fresh CI clone: a project of N SQL insights whose
// HogQL queries are all distinct, beside one whose N queries are one and the same text (which
// the parser sees once). Each project is pulled and committed, then cloned; every timed diff
// runs in the clone with no .hogsync/cache and no rate-limit memory, as a CI job starts.
// Diffs alternate between the two projects; the medians and their ratio are printed.
// --serve sets the two clones up and keeps the emulator running, printing the commands, for
// timing them with another tool (hyperfine, /usr/bin/time).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEV_API_KEY, startEmulator } from '../dist/emulator/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'hogsync.js');
const { values: args } = parseArgs({
  options: {
    insights: { type: 'string', default: '300' },
    runs: { type: 'string', default: '5' },
    serve: { type: 'boolean', default: false },
  },
});
const count = Number(args.insights);
const runs = Number(args.runs);
const SCRATCH = existsSync('/dev/shm') ? '/dev/shm' : tmpdir();
const scratch = mkdtempSync(join(SCRATCH, 'hogsync-gate-'));

/** A SQL insight as PostHog stores it; `text(i)` is its HogQL. */
function sqlInsight(i, text) {
  return { name: `SQL insight ${i}`, query: { kind: 'DataVisualizationNode', source: { kind: 'HogQLQuery', query: text(i) } } };
}
// About what a person writes: a few clauses, a function or two, a filter that names this insight's own values.
const distinct = (i) =>
  `SELECT toStartOfDay(timestamp) AS day, properties.$browser AS browser, count() AS events_${i}, count(DISTINCT person_id) AS people\nFROM events\nWHERE event = 'event_${i}' AND properties.plan IN ('plan-${i}', 'plan-${i + 1}')\n  AND timestamp > now() - INTERVAL ${(i % 90) + 1} DAY\nGROUP BY day, browser\nHAVING count() > ${i}\nORDER BY day DESC, events_${i} DESC\nLIMIT ${i + 10}`;
const identical = () => distinct(0);

const env = { PATH: process.env.PATH, HOME: process.env.HOME, POSTHOG_PERSONAL_API_KEY: DEV_API_KEY, NO_COLOR: '1' };

function git(cwd, ...argv) {
  execFileSync('git', ['-c', 'user.email=bench@example.com', '-c', 'user.name=bench', ...argv], { cwd, stdio: 'ignore' });
}

function hogsync(cwd, argv) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, ...argv], { cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(performance.now() - t0) : reject(new Error(`hogsync ${argv.join(' ')} exited ${code}: ${stderr}`)),
    );
  });
}

/** A repository pulled from `project` and committed, and a fresh clone of it; returns the clone. */
async function fresh(name, project, url) {
  const origin = join(scratch, `${name}-origin`);
  git(scratch, 'init', '-q', origin);
  writeFileSync(
    join(origin, 'hogsync.yaml'),
    `environments:\n  bench:\n    host: ${url}\n    project: ${project}\n    rate_limits:\n      enabled: false\n`,
  );
  await hogsync(origin, ['init', '--no-editor']);
  git(origin, 'add', '-A');
  git(origin, 'commit', '-q', '-m', 'init');
  await hogsync(origin, ['pull', '--commit']);
  const clone = join(scratch, name);
  git(scratch, 'clone', '-q', origin, clone);
  return clone;
}

/** A diff as a CI job runs it: no parse cache, no rate-limit memory (both are left out of git). */
function ciDiff(dir) {
  rmSync(join(dir, '.hogsync', 'cache'), { recursive: true, force: true });
  rmSync(join(dir, '.hogsync', 'rate'), { recursive: true, force: true });
  return hogsync(dir, ['diff']);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const emu = await startEmulator({ rateLimits: { enabled: false } });
try {
  emu.reset({
    projects: [
      { id: 1, name: 'Distinct', insights: Array.from({ length: count }, (_, i) => sqlInsight(i, distinct)) },
      { id: 2, name: 'Identical', insights: Array.from({ length: count }, (_, i) => sqlInsight(i, identical)) },
    ],
  });
  const a = await fresh('distinct', 1, emu.url);
  const b = await fresh('identical', 2, emu.url);
  if (args.serve) {
    process.stdout.write(`emulator at ${emu.url}; clones:\n  ${a}\n  ${b}\neach diff as a CI job runs it:\n`);
    for (const dir of [a, b]) process.stdout.write(`  sh -c 'cd ${dir} && rm -rf .hogsync/cache .hogsync/rate && exec node ${BIN} diff'\n`);
    process.stdout.write('Ctrl-C ends it and removes the clones.\n');
    await new Promise((resolve) => process.once('SIGINT', resolve));
  } else {
    await ciDiff(a);
    await ciDiff(b);
    const times = { distinct: [], identical: [] };
    for (let i = 0; i < runs; i++) {
      times.distinct.push(await ciDiff(a));
      times.identical.push(await ciDiff(b));
    }
    const [da, db] = [median(times.distinct), median(times.identical)];
    process.stdout.write(
      `diff in a fresh clone, ${count} SQL insights, median of ${runs}:\n` +
        `  distinct queries:  ${(da / 1000).toFixed(2)} s (${times.distinct.map((t) => (t / 1000).toFixed(2)).join(' ')})\n` +
        `  identical queries: ${(db / 1000).toFixed(2)} s (${times.identical.map((t) => (t / 1000).toFixed(2)).join(' ')})\n` +
        `  ratio: ${(da / db).toFixed(2)}×\n`,
    );
  }
} finally {
  await emu.close();
  rmSync(scratch, { recursive: true, force: true });
}
