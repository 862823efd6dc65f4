import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../src/kinds/index.js';
import { ROOT } from './helpers/e2e.js';

/**
 * The shape of the code, checked so that it stays (DESIGN.md "Layout"): which folder may
 * import which, no folder cycle, kinds named only in src/kinds (and the emulator, which
 * plays PostHog), exit codes chosen only in src/cli/exit-codes.ts.
 */

const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

const FILES = sourceFiles(SRC).map((path) => ({ path, rel: relative(SRC, path), text: readFileSync(path, 'utf8') }));
const folderOf = (rel: string) => (rel.includes('/') ? rel.slice(0, rel.indexOf('/')) : rel.replace(/\.ts$/, ''));

/** Top-level folders (or top-level modules) that a file imports, outside its own. */
function importedFolders(file: { rel: string; text: string }): string[] {
  const own = folderOf(file.rel);
  const out = new Set<string>();
  for (const m of file.text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
    const target = relative(SRC, join(SRC, file.rel, '..', m[1] as string));
    if (target.startsWith('..')) continue;
    const folder = folderOf(target);
    if (folder !== own) out.add(folder);
  }
  return [...out];
}

/** Code without comments, so that prose may name what it explains. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
}

describe('structure', () => {
  it('reads every source file', () => {
    expect(FILES.length).toBeGreaterThan(50);
  });

  it('store/ is files, state and git: it imports neither the network client nor the plan nor a driver', () => {
    const bad = FILES.filter((f) => folderOf(f.rel) === 'store').flatMap((f) =>
      importedFolders(f)
        .filter((d) => ['posthog', 'plan', 'engine', 'apply', 'cli'].includes(d))
        .map((d) => `${f.rel} -> ${d}`),
    );
    expect(bad).toEqual([]);
  });

  it('plan/ takes values and returns values: no network, no files, no git, no drivers', () => {
    const plan = FILES.filter((f) => folderOf(f.rel) === 'plan');
    expect(plan.length).toBeGreaterThan(5);
    const bad = plan.flatMap((f) => [
      ...importedFolders(f)
        .filter((d) => ['posthog', 'store', 'engine', 'apply', 'cli', 'config'].includes(d))
        .map((d) => `${f.rel} -> ${d}`),
      ...[...f.text.matchAll(/from '(node:fs|node:child_process|simple-git|node:http)'/g)].map((m) => `${f.rel} -> ${m[1]}`),
    ]);
    expect(bad).toEqual([]);
  });

  it('the emulator stands apart: it imports nothing of hogsync, and hogsync reaches it only through src/emulator/index.ts', () => {
    const emulator = FILES.filter((f) => folderOf(f.rel) === 'emulator');
    expect(emulator.length).toBeGreaterThan(20);
    const outgoing = emulator.flatMap((f) => importedFolders(f).map((d) => `${f.rel} -> ${d}`));
    const incoming = FILES.filter((f) => folderOf(f.rel) !== 'emulator').flatMap((f) =>
      [...f.text.matchAll(/(?:from |import\()'(\.{1,2}\/[^']+)'/g)]
        .map((m) => relative(SRC, join(SRC, f.rel, '..', m[1] as string)))
        .filter((target) => folderOf(target) === 'emulator' && target !== 'emulator/index.js')
        .map((target) => `${f.rel} -> ${target}`),
    );
    expect([...outgoing, ...incoming]).toEqual([]);
  });

  it('no two folders import each other, directly or in a cycle', () => {
    const edges = new Map<string, Set<string>>();
    for (const f of FILES) {
      const from = folderOf(f.rel);
      for (const to of importedFolders(f)) (edges.get(from) ?? edges.set(from, new Set()).get(from))?.add(to);
    }
    const cycles: string[] = [];
    const visit = (node: string, path: string[]) => {
      if (path.includes(node)) {
        cycles.push([...path.slice(path.indexOf(node)), node].join(' -> '));
        return;
      }
      for (const next of edges.get(node) ?? []) visit(next, [...path, node]);
    };
    for (const node of edges.keys()) visit(node, []);
    expect(cycles).toEqual([]);
  });

  // src/demo is the demo's script: it edits the demo project's own files, by name.
  it('outside src/kinds, src/emulator and src/demo no code names a kind, its folder, its API path or its own fields', () => {
    // `action` is also what a plan calls what it does to a resource (create, update…), a field of its own.
    const names = KINDS.flatMap((k) => [
      k.kind,
      k.cliName,
      k.folder,
      k.apiPath,
      ...k.lookupFields,
      ...k.listColumns.map((c) => c.field),
    ]).filter((n) => n !== 'action');
    expect(names.length).toBeGreaterThan(KINDS.length * 3);
    const kindSpecific = new RegExp(`['"\`/](${names.map((n) => n.replace(/[/\\-]/g, '\\$&')).join('|')})['"\`/]`);
    const bad = FILES.filter((f) => !['kinds', 'emulator', 'demo'].includes(folderOf(f.rel))).flatMap((f) =>
      code(f.text)
        .split('\n')
        .flatMap((line, i) => (kindSpecific.test(line) ? [`${f.rel}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(bad).toEqual([]);
  });

  it('exit codes are chosen in src/cli/exit-codes.ts alone', () => {
    const bad = FILES.filter((f) => f.rel !== 'cli/exit-codes.ts' && folderOf(f.rel) !== 'emulator').flatMap((f) =>
      code(f.text)
        .split('\n')
        .flatMap((line, i) => (/process\.exit|exitCode\s*=\s*\d|conclude\(\d/.test(line) ? [`${f.rel}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(bad).toEqual([]);
  });
});
