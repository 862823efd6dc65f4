// Compiled forms the API returns next to Hog source. Template strings compile to real Hog
// bytecode for the common shapes (constants, `{a.b.c}` fields, concat); everything else gets a
// deterministic stand-in that is still valid bytecode (push a marker string, pop it).
import { fail } from './errors.js';
import { templateGlobalsError } from './hog-globals.js';
import { walkAst, type AstNode, type HogParser } from './hog-parser.js';
import { shortHash } from './ids.js';
import { canonical, isObject, type Json } from './json.js';

const OP = { GET_GLOBAL: 1, CALL_GLOBAL: 2, TRUE: 29, FALSE: 30, NULL: 31, STRING: 32, INTEGER: 33, FLOAT: 34, POP: 35 };

export type Bytecode = Json[];

function standIn(source: string): Bytecode {
  return [OP.STRING, `emulator:${shortHash(source)}`, OP.POP];
}

/** Bytecode for a whole Hog program: a stand-in that is stable for the same code. */
export function programBytecode(code: string): Bytecode {
  return ['_H', 1, ...standIn(code)];
}

/** Bytecode for real-time filters: `true` when nothing filters, otherwise a stand-in that matches. */
export function filtersBytecode(filters: Json): Bytecode {
  return ['_H', 1, ...standIn(canonical(filters)), OP.TRUE];
}

/** JavaScript stand-in for `site_destination` / `site_app` code (the real API transpiles TypeScript). */
export function transpiledStandIn(code: string): string {
  return `(function () { /* hogsync emulator stand-in ${shortHash(code)} */ return {}; })`;
}

function compileExpr(node: AstNode, source: string): Bytecode | null {
  switch (node.node) {
    case 'Constant': {
      const v = node.value;
      if (typeof v === 'string') return [OP.STRING, v];
      if (typeof v === 'number') return Number.isInteger(v) ? [OP.INTEGER, v] : [OP.FLOAT, v];
      if (v === true) return [OP.TRUE];
      if (v === false) return [OP.FALSE];
      if (v === null) return [OP.NULL];
      return null;
    }
    case 'Field': {
      const chain = node.chain as Json[];
      const out: Bytecode = [];
      for (const el of [...chain].reverse()) out.push(typeof el === 'number' ? OP.INTEGER : OP.STRING, el);
      out.push(OP.GET_GLOBAL, chain.length);
      return out;
    }
    case 'Call': {
      const args = (node.args as AstNode[] | undefined) ?? [];
      const out: Bytecode = [];
      for (const arg of [...args].reverse()) {
        const compiled = compileExpr(arg, source);
        if (!compiled) return null;
        out.push(...compiled);
      }
      out.push(OP.CALL_GLOBAL, node.name as string, args.length);
      return out;
    }
    default:
      return null;
  }
}

/** `inputs.x` names a template reads: the dependencies that decide input `order`. */
function collectInputs(ast: AstNode, into: Set<string>): void {
  walkAst(ast, (n) => {
    if (n.node !== 'Field') return;
    const chain = n.chain as Json[];
    if (chain[0] === 'inputs' && chain.length > 1) into.add(String(chain[1]));
  });
}

/**
 * `generate_template_bytecode`: strings compile as Hog templates (nested in dicts and lists);
 * other values pass through. A template that does not parse raises `Invalid template: ...`.
 */
export function templateBytecode(parser: HogParser, value: Json, deps: Set<string>, path: Array<string | number>, functionType = ''): Json {
  if (Array.isArray(value)) return value.map((v) => templateBytecode(parser, v, deps, path, functionType));
  if (isObject(value)) {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) out[k] = templateBytecode(parser, v, deps, path, functionType);
    return out;
  }
  if (typeof value !== 'string') return value;
  const parsed = parser.template(value);
  if (!parsed.ok) fail(path, `Invalid template: ${parsed.message}`);
  collectInputs(parsed.ast, deps);
  const globalsError = templateGlobalsError(parsed.ast, functionType);
  if (globalsError) fail(path, `Invalid template: ${globalsError}`);
  return ['_H', 1, ...(compileExpr(parsed.ast, value) ?? standIn(value))];
}
