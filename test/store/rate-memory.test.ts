import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rateMemory } from '../../src/store/rate-memory.js';
import { tempDir } from '../helpers/temp.js';

const HOST = 'https://us.posthog.com';
const KEY = 'phx_fake_rate_memory_key_0123456789';
const NOW = 1_800_000_000_000;
const at = () => NOW;

function memoryFiles(root: string): string[] {
  const dir = join(root, '.hogsync', 'rate');
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.json')) : [];
}

describe('rate-limit memory file', () => {
  it('reads back what a run wrote, in .hogsync/rate/<hash>.json, holding timestamps only', () => {
    const root = tempDir('rate');
    rateMemory(root, HOST, KEY, at).write({ insights: [NOW - 2000, NOW - 1000], crud: [NOW - 500] }, 60_000);
    expect(rateMemory(root, HOST, KEY, at).read()).toEqual({ insights: [NOW - 2000, NOW - 1000], crud: [NOW - 500] });
    const [name] = memoryFiles(root);
    expect(name).toMatch(/^[0-9a-f]{32}\.json$/);
    const text = readFileSync(join(root, '.hogsync', 'rate', name as string), 'utf8');
    expect(JSON.parse(text)).toEqual({ version: 1, buckets: { insights: [NOW - 2000, NOW - 1000], crud: [NOW - 500] } });
    for (const piece of [KEY, KEY.slice(4, 16), 'posthog.com']) {
      expect(text).not.toContain(piece);
      expect(name).not.toContain(piece);
    }
    // The folder keeps itself out of git, whatever the repository's .gitignore says.
    expect(readFileSync(join(root, '.hogsync', 'rate', '.gitignore'), 'utf8')).toBe('*\n');
  });

  it('keeps one memory per host and key: another key or another host starts empty', () => {
    const root = tempDir('rate');
    rateMemory(root, HOST, KEY, at).write({ insights: [NOW] }, 60_000);
    expect(rateMemory(root, HOST, 'phx_fake_other_key_9876543210', at).read()).toEqual({});
    expect(rateMemory(root, 'https://eu.posthog.com', KEY, at).read()).toEqual({});
    rateMemory(root, 'https://eu.posthog.com', KEY, at).write({ insights: [NOW] }, 60_000);
    expect(memoryFiles(root)).toHaveLength(2);
  });

  it('adds each run to what is on disk, so two runs that read the same file both stay counted; drops what is older than the horizon', () => {
    const root = tempDir('rate');
    rateMemory(root, HOST, KEY, at).write({ insights: [NOW - 90_000, NOW - 30_000] }, 3_600_000);
    const a = rateMemory(root, HOST, KEY, at);
    const b = rateMemory(root, HOST, KEY, at);
    expect(a.read()).toEqual(b.read());
    a.write({ insights: [NOW - 200] }, 60_000);
    b.write({ insights: [NOW - 300], crud: [NOW - 100] }, 60_000);
    expect(rateMemory(root, HOST, KEY, at).read()).toEqual({ insights: [NOW - 30_000, NOW - 300, NOW - 200], crud: [NOW - 100] });
  });

  it('writes nothing for a run without requests or without limits', () => {
    const root = tempDir('rate');
    rateMemory(root, HOST, KEY, at).write({}, 60_000);
    rateMemory(root, HOST, KEY, at).write({ insights: [NOW] }, 0);
    expect(existsSync(join(root, '.hogsync'))).toBe(false);
  });

  it.each([
    ['not JSON', '{"version": 1, "buckets": {"insights": [1, 2'],
    ['another version', JSON.stringify({ version: 2, buckets: { insights: [NOW] } })],
    ['buckets not an object', JSON.stringify({ version: 1, buckets: [NOW] })],
    ['empty', ''],
  ])('takes a corrupt file (%s) for an empty memory, and replaces it on the next write', (_what, content) => {
    const root = tempDir('rate');
    const memory = rateMemory(root, HOST, KEY, at);
    memory.write({ insights: [NOW - 1] }, 60_000);
    writeFileSync(join(root, '.hogsync', 'rate', memoryFiles(root)[0] as string), content);
    expect(memory.read()).toEqual({});
    memory.write({ insights: [NOW] }, 60_000);
    expect(memory.read()).toEqual({ insights: [NOW] });
  });

  it('takes a folder in place of the file for an empty memory, and a failed write for no error', () => {
    const root = tempDir('rate');
    const memory = rateMemory(root, HOST, KEY, at);
    memory.write({ insights: [NOW] }, 60_000);
    const file = join(root, '.hogsync', 'rate', memoryFiles(root)[0] as string);
    rmSync(file);
    mkdirSync(join(file, 'in-the-way'), { recursive: true });
    expect(memory.read()).toEqual({});
    expect(() => memory.write({ insights: [NOW] }, 60_000)).not.toThrow();
  });

  it('skips odd entries of a hand-edited file: non-numbers and unknown bucket names', () => {
    const root = tempDir('rate');
    const memory = rateMemory(root, HOST, KEY, at);
    memory.write({ insights: [NOW] }, 60_000);
    const file = join(root, '.hogsync', 'rate', memoryFiles(root)[0] as string);
    writeFileSync(file, '{"version":1,"buckets":{"insights":[1,"2",null,3],"__proto__":[4],"crud":"5"}}');
    expect(memory.read()).toEqual({ insights: [1, 3] });
  });

  it('uses no memory when .hogsync/rate is a link: a write must not land outside the repository', () => {
    const root = tempDir('rate');
    const elsewhere = tempDir('rate-elsewhere');
    mkdirSync(join(root, '.hogsync'));
    symlinkSync(elsewhere, join(root, '.hogsync', 'rate'));
    rateMemory(root, HOST, KEY, at).write({ insights: [NOW] }, 60_000);
    expect(readdirSync(elsewhere)).toEqual([]);
    expect(rateMemory(root, HOST, KEY, at).read()).toEqual({});
  });
});
