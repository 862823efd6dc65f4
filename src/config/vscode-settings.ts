import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { applyEdits, modify, parse, printParseErrorCode, type ParseError } from 'jsonc-parser';
import { ConfigError } from '../errors.js';
import { writeFileAtomic } from '../store/atomic.js';
import { readRegularFile } from '../store/file-guard.js';

/** The YAML extension that reads `yaml.schemas` (it runs the YAML language server). */
const YAML_EXTENSION = 'redhat.vscode-yaml';
const FORMAT = { formattingOptions: { insertSpaces: true, tabSize: 2, eol: '\n' } };

/**
 * Sets `yaml.schemas` entries in .vscode/settings.json (schema path → globs) and recommends the
 * YAML extension in .vscode/extensions.json. Both files are JSON with comments, edited in place:
 * the user's settings, comments and formatting stay; entries of `stale` schema paths (an earlier
 * location of the same schemas) are removed. Returns the files that changed, relative to root.
 */
export function mergeVscodeSettings(root: string, schemas: Record<string, string[]>, stale: (schemaPath: string) => boolean): string[] {
  const changed: string[] = [];
  const settings = join(root, '.vscode', 'settings.json');
  const edited = editJsonc(settings, (text, doc) => {
    const current = (doc['yaml.schemas'] ?? {}) as Record<string, unknown>;
    if (typeof current !== 'object' || current === null || Array.isArray(current)) {
      throw new ConfigError(`${settings}: "yaml.schemas" is not an object; fix it, then run "hogsync init" again.`);
    }
    let out = text;
    for (const key of Object.keys(current))
      if (stale(key) && !(key in schemas)) out = applyEdits(out, modify(out, ['yaml.schemas', key], undefined, FORMAT));
    for (const [key, globs] of Object.entries(schemas)) out = applyEdits(out, modify(out, ['yaml.schemas', key], globs, FORMAT));
    return out;
  });
  if (edited) changed.push('.vscode/settings.json');
  const extensions = join(root, '.vscode', 'extensions.json');
  const recommended = editJsonc(extensions, (text, doc) => {
    const list = doc.recommendations;
    if (Array.isArray(list) && list.includes(YAML_EXTENSION)) return text;
    const value = Array.isArray(list) ? [...list, YAML_EXTENSION] : [YAML_EXTENSION];
    return applyEdits(text, modify(text, ['recommendations'], value, FORMAT));
  });
  if (recommended) changed.push('.vscode/extensions.json');
  return changed;
}

/** Reads a JSONC object file (or `{}` when absent), lets `edit` change its text, writes it when it changed. */
function editJsonc(path: string, edit: (text: string, doc: Record<string, unknown>) => string): boolean {
  const exists = existsSync(path);
  const text = exists ? readRegularFile(path, path) : '{}\n';
  const errors: ParseError[] = [];
  const doc: unknown = parse(text, errors, { allowTrailingComma: true });
  const [error] = errors;
  if (error) {
    const { line, col } = position(text, error.offset);
    throw new ConfigError(
      `${path}:${line}:${col}: ${printParseErrorCode(error.error)}; fix the file (or pass --no-editor), then run "hogsync init" again.`,
    );
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ConfigError(`${path} does not hold a JSON object; fix the file (or pass --no-editor), then run "hogsync init" again.`);
  }
  const out = edit(text, doc as Record<string, unknown>);
  if (exists && out === text) return false;
  writeFileAtomic(path, out.endsWith('\n') ? out : `${out}\n`);
  return true;
}

function position(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: (before[before.length - 1]?.length ?? 0) + 1 };
}
