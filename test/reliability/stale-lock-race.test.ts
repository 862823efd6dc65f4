import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { tracked } from '../helpers/children.js';
import { ROOT } from '../helpers/e2e.js';
import { tempDir } from '../helpers/temp.js';

/**
 * Issue 21 (9): a run killed with kill -9 leaves its lock, and the next runs take it over. When
 * two start right after the killed one, both used to read the stale lock, both remove it and
 * both create their own: the second removal can land after the first creation, and then two
 * runs interleave one state file's journal. Here several processes, each the built CLI's own
 * StateStore, race for many stale locks at the same instant (a busy-wait on the clock, so that
 * they overlap to the microsecond): every lock must end with exactly one owner, and every other
 * racer refused with the usual "another hogsync" sentence.
 */

const RACERS = 3;
const ROUNDS = 40;
const ROUND_MS = 20;

// Each racer: for round r, wait for its instant, try to lock environment r, and report.
const RACER = `
const [stateUrl, dir, start, rounds, every] = process.argv.slice(1);
const { StateStore } = await import(stateUrl);
const target = { host: 'http://127.0.0.1:1', project: '1' };
for (let r = 0; r < Number(rounds); r++) {
  const at = Number(start) + r * Number(every);
  while (performance.timeOrigin + performance.now() < at);
  const store = StateStore.load(dir, 'env-' + r, target, dir, { journal: false });
  try {
    store.lock();
    console.log(JSON.stringify({ round: r, held: true }));
  } catch (error) {
    console.log(JSON.stringify({ round: r, held: false, message: error.message }));
  }
}
// Alive until every racer is done: the lock of a run that has ended is stale, and rightly taken over.
await new Promise((r) => setTimeout(r, Number(start) + Number(rounds) * Number(every) + 1000 - Date.now()));
`;

interface Outcome {
  round: number;
  held: boolean;
  message?: string;
}

/** A pid that no process has any more: one of a process that has just ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  return child.pid;
}

function race(dir: string, start: number): Promise<Outcome[]> {
  const stateUrl = pathToFileURL(join(ROOT, 'dist', 'store', 'state.js')).href;
  return new Promise((resolve, reject) => {
    const child = tracked(
      spawn(process.execPath, ['--input-type=module', '-e', RACER, stateUrl, dir, String(start), String(ROUNDS), String(ROUND_MS)], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(
            out
              .trim()
              .split('\n')
              .map((l) => JSON.parse(l) as Outcome),
          )
        : reject(new Error(`racer exited ${code}: ${err}`)),
    );
  });
}

describe('runs that start together after a killed one', () => {
  it(`take over its stale lock one at a time: ${ROUNDS} rounds of ${RACERS} racers, one owner each`, async () => {
    const dir = join(tempDir('lock-race'), '.hogsync', 'state');
    mkdirSync(dir, { recursive: true });
    const dead = deadPid();
    // What a killed run leaves: its lock (this version's format, and the older pid-only one).
    for (let r = 0; r < ROUNDS; r++) writeFileSync(join(dir, `env-${r}.lock`), r % 2 === 0 ? `${dead}\n` : `${dead}\nkilled-run-${r}\n`);

    // Started together well ahead of the first round, so that Node's start-up is over by then.
    const start = Date.now() + 1500;
    const outcomes = (await Promise.all(Array.from({ length: RACERS }, () => race(dir, start)))).flat();

    const owners = Array.from({ length: ROUNDS }, (_, r) => outcomes.filter((o) => o.round === r && o.held).length);
    const shared = owners.map((n, r) => ({ round: r, owners: n })).filter((o) => o.owners !== 1);
    expect(shared, 'rounds whose stale lock did not end with exactly one owner').toEqual([]);
    for (const o of outcomes.filter((x) => !x.held)) {
      expect(o.message).toMatch(
        /^Another hogsync \(pid \d+\) is pulling or pushing environment "env-\d+"\. Wait for it to finish; if it is gone, remove \S+env-\d+\.lock\.$/,
      );
    }
  });
});
