// Build step (`npm run build`, after tsc): compiles every JSON Schema in schemas/ to a standalone
// validator in dist/schemas/<name>.cjs, so that no run of hogsync compiles a schema (ajv took
// about 100 ms of a run for it). schemas/ stays the source of truth; these files are derived.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Ajv } from 'ajv';
// ajv declares it as an ES default export of CommonJS code: Node hands the function over as the module itself, TypeScript as its `default`, which the function also carries.
import standalone from 'ajv/dist/standalone/index.js';
import { AJV_OPTIONS, COMPILED_DIR, SCHEMA_DIR, compiledName } from './schemas.js';
import { writeFileAtomic } from './atomic.js';

const schemas = readdirSync(SCHEMA_DIR)
  .filter((f) => f.endsWith('.schema.json'))
  .sort();
let written = 0;
for (const file of schemas) {
  // One instance a schema: each file holds one validator and only the code it needs.
  // code.source keeps each schema in the code, as `verbose` errors point into it (parentSchema).
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true } });
  const validate = ajv.compile(JSON.parse(readFileSync(`${SCHEMA_DIR}${file}`, 'utf8')) as object);
  const code = `// Generated from schemas/${file} by npm run build: edit the schema, not this file.\n${standalone.default(ajv, validate)}\n`;
  const path = `${COMPILED_DIR}${compiledName(file)}`;
  // An unchanged file is left alone, so a build beside a running test suite never replaces one under it.
  if (existsSync(path) && readFileSync(path, 'utf8') === code) continue;
  writeFileAtomic(path, code);
  written++;
}
// The validator of a schema that was removed goes too.
const wanted = new Set(schemas.map(compiledName));
for (const stale of readdirSync(COMPILED_DIR)) if (!wanted.has(stale)) rmSync(`${COMPILED_DIR}${stale}`, { force: true });
process.stdout.write(`${schemas.length} schemas compiled to ${COMPILED_DIR} (${written} changed)\n`);
