// A deliberately small tree-walking evaluator over PostHog's Hog AST. It is not the Hog VM:
// loops run a bounded number of times, unknown functions yield "unknown" and unknown
// conditions count as false. It exists so test invocations show which requests a function
// would make and what it prints, without any network access.
import type { HogExecutor, InvocationInput, InvocationLog, InvocationResult } from './hog-executor.js';
import type { AstNode } from './hog-parser.js';
import { isObject, type Json, type JsonObject } from './json.js';

const UNKNOWN = Symbol('unknown');
type Value = Json | typeof UNKNOWN;
const MAX_OPS = 20_000;
const MAX_LOOP = 100;

class Thrown {
  constructor(readonly message: string) {}
}
class Returned {
  constructor(readonly value: Value) {}
}

function show(v: Value): string {
  if (v === UNKNOWN) return '<unknown>';
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

function truthy(v: Value): boolean {
  if (v === UNKNOWN || v === null || v === false || v === 0 || v === '') return false;
  return true;
}

interface RunEnv {
  globals: JsonObject;
  inputs: JsonObject;
  mockAsyncFunctions: boolean;
}

class Run {
  ops = 0;
  logs: InvocationLog[] = [];
  scopes: Array<Map<string, Value>> = [new Map()];

  constructor(private readonly input: RunEnv) {}

  log(level: InvocationLog['level'], message: string): void {
    this.logs.push({ level, timestamp: new Date().toISOString(), message });
  }

  lookup(name: string): Value {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i] as Map<string, Value>;
      if (scope.has(name)) return scope.get(name) as Value;
    }
    if (name === 'inputs') return this.input.inputs;
    if (name in this.input.globals) return this.input.globals[name] as Json;
    return UNKNOWN;
  }

  assignName(name: string, value: Value): void {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i] as Map<string, Value>;
      if (scope.has(name)) return void scope.set(name, value);
    }
    (this.scopes[this.scopes.length - 1] as Map<string, Value>).set(name, value);
  }

  member(base: Value, key: Value): Value {
    if (Array.isArray(base) && typeof key === 'number') return base[key > 0 ? key - 1 : base.length + key] ?? null; // Hog arrays are 1-based
    if (isObject(base) && (typeof key === 'string' || typeof key === 'number')) return base[String(key)] ?? null;
    return base === null ? null : UNKNOWN;
  }

  stmts(nodes: unknown): void {
    for (const n of (nodes as AstNode[] | undefined) ?? []) this.stmt(n);
  }

  stmt(n: AstNode): void {
    if (++this.ops > MAX_OPS) throw new Thrown('Execution limit reached');
    switch (n.node) {
      case 'Program':
      case 'Block':
        this.scopes.push(new Map());
        try {
          this.stmts(n.declarations);
        } finally {
          this.scopes.pop();
        }
        return;
      case 'VariableDeclaration':
        (this.scopes[this.scopes.length - 1] as Map<string, Value>).set(n.name as string, n.expr ? this.expr(n.expr as AstNode) : null);
        return;
      case 'VariableAssignment':
        return this.assign(n.left as AstNode, this.expr(n.right as AstNode));
      case 'ExprStatement':
        if (n.expr) this.expr(n.expr as AstNode);
        return;
      case 'IfStatement':
        if (truthy(this.expr(n.expr as AstNode))) this.stmt(n.then as AstNode);
        else if (n.else_) this.stmt(n.else_ as AstNode);
        return;
      case 'ReturnStatement':
        throw new Returned(n.expr ? this.expr(n.expr as AstNode) : null);
      case 'ThrowStatement': {
        const err = this.expr(n.expr as AstNode);
        throw new Thrown(isObject(err) ? show(err.message ?? err) : show(err));
      }
      case 'ForInStatement':
        return this.forIn(n);
      case 'TryCatchStatement':
        try {
          this.stmt(n.try_stmt as AstNode);
        } catch (e) {
          const handler = (n.catches as Array<[string | null, unknown, AstNode]> | undefined)?.[0];
          if (!(e instanceof Thrown) || !handler) throw e;
          this.scopes.push(new Map([[handler[0] ?? 'e', { type: 'Error', message: e.message }]]));
          try {
            this.stmt(handler[2]);
          } finally {
            this.scopes.pop();
          }
        }
        return;
      default:
        return; // functions, while loops and the rest are not simulated
    }
  }

  forIn(n: AstNode): void {
    const coll = this.expr(n.expr as AstNode);
    const entries: Array<[Value, Value]> = Array.isArray(coll)
      ? coll.map((v, i) => [i + 1, v])
      : isObject(coll)
        ? Object.entries(coll)
        : [];
    for (const [k, v] of entries.slice(0, MAX_LOOP)) {
      const scope = new Map<string, Value>();
      if (n.keyVar) scope.set(n.keyVar as string, k);
      scope.set(n.valueVar as string, v);
      this.scopes.push(scope);
      try {
        this.stmt(n.body as AstNode);
      } finally {
        this.scopes.pop();
      }
    }
  }

  assign(left: AstNode, value: Value): void {
    if (left.node === 'Field') {
      const chain = left.chain as string[];
      if (chain.length === 1) return this.assignName(chain[0] as string, value);
      const target = chain.slice(0, -1).reduce<Value>((acc, k, i) => (i === 0 ? this.lookup(k) : this.member(acc, k)), null);
      if (isObject(target) && value !== UNKNOWN) target[chain[chain.length - 1] as string] = value;
      return;
    }
    if (left.node === 'ArrayAccess') {
      const target = this.expr(left.array as AstNode);
      const key = this.expr(left.property as AstNode);
      if (value === UNKNOWN) return;
      if (Array.isArray(target) && typeof key === 'number') target[key - 1] = value;
      else if (isObject(target) && (typeof key === 'string' || typeof key === 'number')) target[String(key)] = value;
    }
  }

  expr(n: AstNode): Value {
    if (++this.ops > MAX_OPS) throw new Thrown('Execution limit reached');
    switch (n.node) {
      case 'Constant':
        return n.value as Json;
      case 'Field': {
        const [head, ...rest] = n.chain as Array<string | number>;
        return rest.reduce<Value>((acc, k) => this.member(acc, k), this.lookup(String(head)));
      }
      case 'ArrayAccess':
        return this.member(this.expr(n.array as AstNode), this.expr(n.property as AstNode));
      case 'Dict': {
        const out: JsonObject = {};
        for (const [k, v] of n.items as Array<[AstNode, AstNode]>) {
          const key = this.expr(k);
          const value = this.expr(v);
          out[show(key)] = value === UNKNOWN ? null : value;
        }
        return out;
      }
      case 'Array':
      case 'Tuple':
        return (n.exprs as AstNode[]).map((e) => {
          const v = this.expr(e);
          return v === UNKNOWN ? null : v;
        });
      case 'Not':
        return !truthy(this.expr(n.expr as AstNode));
      case 'And':
        return (n.exprs as AstNode[]).every((e) => truthy(this.expr(e)));
      case 'Or':
        return (n.exprs as AstNode[]).some((e) => truthy(this.expr(e)));
      case 'CompareOperation':
        return compare(n.op as string, this.expr(n.left as AstNode), this.expr(n.right as AstNode));
      case 'ArithmeticOperation':
        return arithmetic(n.op as string, this.expr(n.left as AstNode), this.expr(n.right as AstNode));
      case 'Call':
        return this.call(
          n.name as string,
          ((n.args as AstNode[] | undefined) ?? []).map((a) => this.expr(a)),
        );
      default:
        return UNKNOWN;
    }
  }

  call(name: string, args: Value[]): Value {
    const a: Value = args[0] ?? null;
    const b: Value = args[1] ?? null;
    switch (name) {
      case 'fetch':
        return this.fetch(args);
      case 'print':
        this.log('info', args.map(show).join(' '));
        return null;
      case 'Error':
        return { type: 'Error', message: show(a) };
      case 'concat':
        return args.map((v) => (v === null ? '' : show(v))).join('');
      case 'ifNull':
        return a === null || a === UNKNOWN ? b : a;
      case 'notEmpty':
        return a === UNKNOWN ? UNKNOWN : truthy(a) && !(isObject(a) && !Object.keys(a).length) && !(Array.isArray(a) && !a.length);
      case 'empty':
        return a === UNKNOWN ? UNKNOWN : !truthy(a) || (isObject(a) && !Object.keys(a).length) || (Array.isArray(a) && !a.length);
      case 'length':
        return typeof a === 'string' || Array.isArray(a) ? a.length : isObject(a) ? Object.keys(a).length : UNKNOWN;
      case 'lower':
        return typeof a === 'string' ? a.toLowerCase() : UNKNOWN;
      case 'upper':
        return typeof a === 'string' ? a.toUpperCase() : UNKNOWN;
      case 'trim':
        return typeof a === 'string' ? a.trim() : UNKNOWN;
      case 'toString':
        return a === UNKNOWN ? UNKNOWN : show(a);
      case 'jsonStringify':
      case 'toJSONString':
        return a === UNKNOWN ? UNKNOWN : JSON.stringify(a);
      case 'splitByString':
        return typeof a === 'string' && typeof b === 'string' ? b.split(a) : UNKNOWN;
      case 'arrayStringConcat':
        return Array.isArray(a) ? a.map((v) => show(v)).join(typeof b === 'string' ? b : '') : UNKNOWN;
      default:
        return UNKNOWN;
    }
  }

  fetch(args: Value[]): Value {
    const [url, options] = args;
    if (!this.input.mockAsyncFunctions) {
      this.log('warn', 'The emulator never makes outgoing requests: fetch was simulated although mock_async_functions is false.');
    }
    this.log('info', "Async function 'fetch' was mocked with arguments:");
    this.log('info', `fetch('${show(url ?? null)}', ${JSON.stringify(options === UNKNOWN ? null : (options ?? null), null, 2)})`);
    return { status: 200, body: {} };
  }
}

function compare(op: string, l: Value, r: Value): Value {
  if (l === UNKNOWN || r === UNKNOWN) return UNKNOWN;
  switch (op) {
    case '==':
      return JSON.stringify(l) === JSON.stringify(r);
    case '!=':
      return JSON.stringify(l) !== JSON.stringify(r);
    case '<':
      return (l as number) < (r as number);
    case '<=':
      return (l as number) <= (r as number);
    case '>':
      return (l as number) > (r as number);
    case '>=':
      return (l as number) >= (r as number);
    default:
      return UNKNOWN;
  }
}

function arithmetic(op: string, l: Value, r: Value): Value {
  if (typeof l !== 'number' || typeof r !== 'number') return UNKNOWN;
  switch (op) {
    case '+':
      return l + r;
    case '-':
      return l - r;
    case '*':
      return l * r;
    case '/':
      return r === 0 ? UNKNOWN : l / r;
    case '%':
      return r === 0 ? UNKNOWN : l % r;
    default:
      return UNKNOWN;
  }
}

/** Evaluates one parsed expression (a rendered input template) against globals and inputs. */
export function evaluateTemplate(ast: AstNode, globals: JsonObject, inputs: JsonObject): Json {
  const run = new Run({ globals, inputs, mockAsyncFunctions: true });
  try {
    const v = run.expr(ast);
    return v === UNKNOWN ? null : v;
  } catch {
    return null;
  }
}

export const standInExecutor: HogExecutor = {
  invoke(input: InvocationInput): InvocationResult {
    const started = performance.now();
    const run = new Run(input);
    run.log('debug', 'Executing function');
    const parsed = input.parser.program(input.hog);
    let result: Json = null;
    const errors: string[] = [];
    if (!parsed.ok) {
      errors.push(`Hog code has errors: ${parsed.message}`);
    } else {
      try {
        run.stmt(parsed.ast);
      } catch (e) {
        if (e instanceof Returned) result = e.value === UNKNOWN ? null : e.value;
        else if (e instanceof Thrown) errors.push(e.message);
        else throw e;
      }
    }
    if (input.functionType === 'transformation' && result === null && !errors.length) result = input.globals.event ?? null;
    const event = isObject(input.globals.event) ? input.globals.event : {};
    const ms = (performance.now() - started).toFixed(2);
    if (errors.length) {
      run.log('error', `Error executing function on event ${show(event.uuid ?? null)}: ${errors[0]}`);
    } else {
      run.log(
        'debug',
        `Function completed in ${ms}ms. Sync: ${ms}ms. Mem: 0kb. Ops: ${run.ops}. Event: '${show(event.url ?? event.uuid ?? null)}'`,
      );
    }
    return { status: errors.length ? 'error' : 'success', result, errors, logs: run.logs };
  },
};
