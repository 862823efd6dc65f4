import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tracked } from '../helpers/children.js';
import { claimLock } from '../../src/store/run-lock.js';
import { tempDir } from '../helpers/temp.js';

// The takeover of a stale lock (store/run-lock.ts), step by step; the race itself is attacked in
// test/reliability/stale-lock-race.test.ts.

const dead = spawnSync(process.execPath, ['-e', '']).pid;
let alive: ReturnType<typeof spawn>;
beforeAll(() => {
  alive = tracked(spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' }));
});
afterAll(() => {
  alive.kill('SIGKILL');
});

const markerOf = (dir: string) => readdirSync(dir).filter((n) => n.includes('.takeover-'));

describe('claimLock', () => {
  it('creates a lock, refuses it to nobody else while held, and removes it on release', () => {
    const dir = tempDir('run-lock');
    const path = join(dir, 'production.lock');
    const claim = claimLock(path);
    expect(claim.held).toBe(true);
    expect(readFileSync(path, 'utf8').split('\n')[0]).toBe(String(process.pid));
    if (claim.held) claim.release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a lock held by a live process, naming it', () => {
    const dir = tempDir('run-lock');
    const path = join(dir, 'production.lock');
    writeFileSync(path, `${alive.pid}\n`);
    expect(claimLock(path)).toEqual({ held: false, pid: alive.pid });
    expect(readFileSync(path, 'utf8')).toBe(`${alive.pid}\n`);
  });

  it('takes over the lock of a dead process, and leaves no takeover marker behind', () => {
    const dir = tempDir('run-lock');
    const path = join(dir, 'production.lock');
    writeFileSync(path, `${dead}\n`);
    const claim = claimLock(path);
    expect(claim.held).toBe(true);
    expect(readFileSync(path, 'utf8').startsWith(`${process.pid}\n`)).toBe(true);
    expect(markerOf(dir)).toEqual([]);
  });

  it('refuses a stale lock that a live run is taking over (it holds the marker)', () => {
    const dir = tempDir('run-lock');
    const path = join(dir, 'production.lock');
    writeFileSync(path, `${dead}\n`);
    const marker = join(dir, `production.takeover-${sha(`${dead}\n`)}.lock`);
    writeFileSync(marker, `${alive.pid}\n`);
    expect(claimLock(path)).toEqual({ held: false, pid: alive.pid });
    expect(existsSync(marker)).toBe(true);
  });

  it('takes over a stale lock whose taker died holding the marker', () => {
    const dir = tempDir('run-lock');
    const path = join(dir, 'production.lock');
    writeFileSync(path, `${dead}\n`);
    writeFileSync(join(dir, `production.takeover-${sha(`${dead}\n`)}.lock`), `${dead}\nother\n`);
    const claim = claimLock(path);
    expect(claim.held).toBe(true);
    expect(markerOf(dir)).toEqual([]);
  });

  it('does not remove on release a lock that another run has taken over since', () => {
    const dir = tempDir('run-lock');
    const path = join(dir, 'production.lock');
    const claim = claimLock(path);
    writeFileSync(path, `${alive.pid}\n`);
    if (claim.held) claim.release();
    expect(readFileSync(path, 'utf8')).toBe(`${alive.pid}\n`);
  });
});

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
