import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { ROOT } from './e2e.js';

/**
 * Compares output with test/golden/<name>. A missing golden is a failure, never a pass:
 * goldens are written only on request, with UPDATE_GOLDEN=1, and then reviewed in git.
 */
export function expectGolden(name: string, actual: string): void {
  const path = join(ROOT, 'test', 'golden', name);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
  }
  if (!existsSync(path))
    throw new Error(`test/golden/${name} does not exist: run the test with UPDATE_GOLDEN=1 to write it, then review it`);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
