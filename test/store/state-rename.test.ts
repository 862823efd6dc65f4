import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StateStore } from '../../src/store/state.js';
import { tempDir } from '../helpers/temp.js';

/** A key renamed in the state (hogsync mv): journaled like every change, so a killed run loses nothing. */

const target = { host: 'http://127.0.0.1:1', project: '1' };
const base = (c: string) => `sha256:${c.repeat(64)}`;
// Never flushed during the test unless asked: what a killed run leaves is the journal alone.
const noFlush = { flushEvery: { ms: 3_600_000, changes: 1_000 } };

describe('StateStore.rename', () => {
  it('moves the binding, the tombstone and an unconfirmed create; a run killed before the flush is replayed from the journal', () => {
    const root = tempDir('state');
    const dir = join(root, '.hogsync', 'state');
    const first = StateStore.load(dir, 'production', target, root, noFlush);
    first.bind('Insight', 'old', { id: 7, base: base('a'), extras: { short_id: 'AbCd1234' } });
    first.bury('Insight', 'gone', { id: 8, base: base('b') });
    first.markPending('Insight', 'new-one', { hash: base('c') });
    first.flush();

    const run = StateStore.load(dir, 'production', target, root, noFlush);
    run.rename('Insight', 'old', 'renamed');
    run.rename('Insight', 'gone', 'gone-2');
    run.rename('Insight', 'new-one', 'new-two');
    expect(readFileSync(join(dir, 'production.json'), 'utf8')).toContain('"Insight/old"');

    const replayed = StateStore.load(dir, 'production', target, root, noFlush);
    expect(replayed.get('Insight', 'old')).toBeUndefined();
    expect(replayed.get('Insight', 'renamed')).toEqual({ id: 7, base: base('a'), extras: { short_id: 'AbCd1234' } });
    expect([...replayed.tombstones('Insight').keys()]).toEqual(['gone-2']);
    expect(replayed.pending('Insight', 'new-two')).toEqual({ hash: base('c') });
    expect(replayed.holds('Insight', 'gone-2')).toBe('the tombstone of deleted id 8');

    replayed.flush();
    const doc = JSON.parse(readFileSync(join(dir, 'production.json'), 'utf8'));
    expect(Object.keys(doc.resources)).toEqual(['Insight/renamed']);
    expect(existsSync(join(dir, 'production.journal'))).toBe(false);
  });

  it('refuses a journal line that would move a key to another kind, naming the line', () => {
    const root = tempDir('state');
    const dir = join(root, '.hogsync', 'state');
    mkdirSync(dir, { recursive: true });
    appendFileSync(
      join(dir, 'production.journal'),
      `${JSON.stringify({ op: 'rename', ref: 'Insight/a', to: 'HogFunction/a' })}\n{"op":"settled","ref":"Insight/a"}\n`,
    );
    expect(() => StateStore.load(dir, 'production', target, root)).toThrow(
      /production\.journal:1: .*a rename without a Kind\/key "to" of the same kind/,
    );
  });
});

describe('StateStore.loadAll', () => {
  it('loads every environment’s state as it is, and refuses a journal that has no state file beside it', () => {
    const root = tempDir('state');
    const dir = join(root, '.hogsync', 'state');
    StateStore.load(dir, 'production', target, root).flush();
    StateStore.load(dir, 'staging', { host: 'http://127.0.0.1:2', project: '2' }, root).flush();
    expect(StateStore.loadAll(dir, root).map((s) => s.environment)).toEqual(['production', 'staging']);
    expect(StateStore.loadAll(dir, root, { except: 'staging' }).map((s) => s.environment)).toEqual(['production']);
    writeFileSync(join(dir, 'qa.journal'), `${JSON.stringify({ op: 'bind', ref: 'Insight/a', binding: { id: 1, base: base('d') } })}\n`);
    expect(() => StateStore.loadAll(dir, root)).toThrow(
      /^\.hogsync\/state\/qa\.journal holds what an interrupted run of environment "qa" did, and there is no state file beside it yet: run that command again \(-e qa\)/,
    );
    expect(StateStore.loadAll(join(root, 'nowhere'), root)).toEqual([]);
  });
});
