import { createRequire } from 'node:module';

type YamlLib = typeof import('yaml');

// The `yaml` library (about 15 ms to load) serves what only some runs need: file:line:col
// positions of a problem, the literal blocks js-yaml cannot write, YAML in a plan's output. It is
// loaded on first use instead of at start. Its CommonJS build (the one Node's `import` gets too,
// so one instance) is required synchronously, which keeps every caller synchronous.
const require = createRequire(import.meta.url);
let lib: YamlLib | undefined;

export function yamlLib(): YamlLib {
  lib ??= require('yaml') as YamlLib;
  return lib;
}
