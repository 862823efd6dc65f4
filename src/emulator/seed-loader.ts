// Reads a SeedDoc from a JSON file, or from a folder (its seed.json, else every *.json in it).
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkSeedDoc, SeedError } from './seeding.js';
import type { SeedDoc, SeedProject } from './types.js';

/** The demo seed shipped in `fixtures/demo/`, found from this module (works from src/ and dist/). */
export function demoSeedPath(): string {
  return fileURLToPath(new URL('../../fixtures/demo/', import.meta.url));
}

async function readDoc(file: string): Promise<SeedDoc> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (e) {
    throw new SeedError(`cannot read seed ${file}: ${(e as Error).message}`);
  }
  try {
    checkSeedDoc(parsed);
  } catch (e) {
    throw new SeedError(`${file}: ${(e as Error).message}`);
  }
  return parsed;
}

/** Same project id in several files: lists are concatenated, later scalars win. */
function mergeSeeds(docs: SeedDoc[]): SeedDoc {
  const byId = new Map<number, SeedProject>();
  for (const doc of docs) {
    for (const p of doc.projects) {
      const prev = byId.get(p.id);
      if (!prev) {
        byId.set(p.id, { ...p });
        continue;
      }
      byId.set(p.id, {
        ...prev,
        ...p,
        insights: [...(prev.insights ?? []), ...(p.insights ?? [])],
        insight_variables: [...(prev.insight_variables ?? []), ...(p.insight_variables ?? [])],
        hog_functions: [...(prev.hog_functions ?? []), ...(p.hog_functions ?? [])],
        actions: [...(prev.actions ?? []), ...(p.actions ?? [])],
        cohorts: [...(prev.cohorts ?? []), ...(p.cohorts ?? [])],
        dashboards: [...(prev.dashboards ?? []), ...(p.dashboards ?? [])],
      });
    }
  }
  return { projects: [...byId.values()] };
}

export async function loadSeed(path: string): Promise<SeedDoc> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    throw new SeedError(`seed path ${path} does not exist`);
  }
  if (!info.isDirectory()) return readDoc(path);
  const names = (await readdir(path)).filter((n) => n.endsWith('.json')).sort();
  if (names.includes('seed.json')) return readDoc(join(path, 'seed.json'));
  if (!names.length) throw new SeedError(`seed folder ${path} has no .json files`);
  return mergeSeeds(await Promise.all(names.map((n) => readDoc(join(path, n)))));
}
