import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../store/atomic.js';
import { readRegularFile } from '../store/file-guard.js';
import type { SchemaMapping } from './editor-schemas.js';

/** Names of the mappings hogsync writes; a file holding only these is hogsync's to rewrite. */
const PREFIX = 'hogsync';

export type JetbrainsOutcome = 'written' | 'unchanged' | 'no-idea' | 'has-other-mappings';

/**
 * JetBrains IDEs keep a project's JSON Schema mappings in .idea/jsonSchemas.xml (component
 * JsonSchemaMappingsProjectConfiguration, as Settings → JSON Schema Mappings saves it). It is
 * written only in a project the IDE has opened (.idea/ exists) and only when the file is absent
 * or holds hogsync's mappings alone: merging into the IDE's own XML is left to the user (README).
 */
export function writeJetbrainsSchemas(root: string, mappings: SchemaMapping[], schemaPath: (file: string) => string): JetbrainsOutcome {
  const idea = join(root, '.idea');
  if (!existsSync(idea) || !statSync(idea).isDirectory()) return 'no-idea';
  const path = join(idea, 'jsonSchemas.xml');
  const text = render(mappings, schemaPath);
  if (existsSync(path)) {
    const current = readRegularFile(path, path);
    if (current === text) return 'unchanged';
    const names = [...current.matchAll(/<entry key="([^"]*)"/g)].map((m) => m[1] ?? '');
    if (names.some((n) => !n.startsWith(PREFIX))) return 'has-other-mappings';
  }
  writeFileAtomic(path, text);
  return 'written';
}

function render(mappings: SchemaMapping[], schemaPath: (file: string) => string): string {
  const entries = mappings.map((m) => {
    const name = xml(`${PREFIX}: ${m.title}`);
    const items = m.globs.map((g) =>
      [
        '                  <Item>',
        `                    <option name="path" value="${xml(g)}" />`,
        '                    <option name="mappingKind" value="Pattern" />',
        '                  </Item>',
      ].join('\n'),
    );
    return [
      `        <entry key="${name}">`,
      '          <value>',
      '            <SchemaInfo>',
      `              <option name="name" value="${name}" />`,
      `              <option name="relativePathToSchema" value="${xml(schemaPath(m.schema))}" />`,
      '              <option name="schemaVersion" value="JSON Schema version 7" />',
      '              <option name="patterns">',
      '                <list>',
      ...items,
      '                </list>',
      '              </option>',
      '            </SchemaInfo>',
      '          </value>',
      '        </entry>',
    ].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<project version="4">',
    '  <component name="JsonSchemaMappingsProjectConfiguration">',
    '    <state>',
    '      <map>',
    ...entries,
    '      </map>',
    '    </state>',
    '  </component>',
    '</project>',
    '',
  ].join('\n');
}

function xml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
