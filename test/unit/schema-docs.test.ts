import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { KINDS } from '../../src/kinds/index.js';
import { ROOT } from '../helpers/e2e.js';

/**
 * The schemas editors load (hogsync init maps them to the files) explain every field on hover:
 * each property has a description, the file itself too, and the schema is still one Ajv compiles.
 */
type Schema = { [key: string]: unknown };

const FILES = ['hogsync.schema.json', ...KINDS.map((k) => k.schema)];
const load = (file: string) => JSON.parse(readFileSync(join(ROOT, 'schemas', file), 'utf8')) as Schema;

/** Every property schema in `schema`, with its JSON path, resolving local $refs for the description. */
function properties(root: Schema): Array<{ at: string; description: unknown }> {
  const found: Array<{ at: string; description: unknown }> = [];
  const resolve = (s: Schema): Schema => {
    const ref = s.$ref;
    if (typeof ref !== 'string' || !ref.startsWith('#/')) return s;
    return ref
      .slice(2)
      .split('/')
      .reduce<Schema>((node, part) => node[part] as Schema, root);
  };
  const visit = (s: unknown, at: string) => {
    if (typeof s !== 'object' || s === null) return;
    const node = s as Schema;
    for (const [name, sub] of Object.entries((node.properties ?? {}) as Record<string, Schema>)) {
      found.push({ at: `${at}.${name}`, description: sub.description ?? resolve(sub).description });
      visit(sub, `${at}.${name}`);
    }
    for (const key of ['items', 'additionalProperties', 'then', 'else']) visit(node[key], `${at}[${key}]`);
    for (const key of ['allOf', 'anyOf', 'oneOf'])
      if (Array.isArray(node[key])) (node[key] as unknown[]).forEach((sub, i) => visit(sub, `${at}.${key}[${i}]`));
    for (const [name, sub] of Object.entries((node.definitions ?? {}) as Record<string, Schema>)) visit(sub, `#${name}`);
  };
  visit(root, '');
  return found;
}

describe.each(FILES)('schemas/%s', (file) => {
  it('describes the file and every field', () => {
    const schema = load(file);
    expect(typeof schema.description).toBe('string');
    const fields = properties(schema);
    expect(fields.length).toBeGreaterThan(5);
    const undocumented = fields.filter((f) => typeof f.description !== 'string' || f.description.length < 8).map((f) => f.at);
    expect(undocumented).toEqual([]);
  });

  it('still compiles with Ajv (descriptions, markdownDescription and examples are annotations only)', () => {
    const ajv = new Ajv({ strict: false });
    expect(() => ajv.compile(load(file))).not.toThrow();
  });
});
