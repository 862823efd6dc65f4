// Which names a Hog program or template may use, by function type (posthog/cdp/validation.py:
// `TransformationGlobalsValidator`, `DeclaredNamesCollector`, `reserved_functions_used`, and the
// bytecode compiler's "Hog function `x` is not implemented" for log transformations). The
// emulator has no copy of the Hog standard library, so a bare reference to an STL function is
// the one thing PostHog accepts here and the emulator may not.
import { walkAst, type AstNode } from './hog-parser.js';

const CORE_SUPPORTED_FUNCTIONS = ['fetch', 'postHogCapture'];
const PRODUCT_ASYNC_FUNCTIONS = [
  'postHogGetTicket',
  'postHogUpdateTicket',
  'postHogGetAccount',
  'postHogUpdateAccount',
  'postHogSetAccountProperties',
];
const TRANSFORMATION_RUNTIME_FUNCTIONS = ['geoipLookup', 'cleanNullValues', 'isKnownBotUserAgent', 'isKnownBotIp'];
/** Async functions only PostHog's own hidden templates may call (they kill a worker otherwise). */
const RESERVED_FUNCTIONS = ['sendEmail', 'sendPushNotification'];

function fieldRoots(ast: AstNode): Set<string> {
  const roots = new Set<string>();
  walkAst(ast, (n) => {
    if (n.node === 'Field' && Array.isArray(n.chain) && n.chain.length) roots.add(String(n.chain[0]));
  });
  return roots;
}

/** Names a program declares (variables, functions and their params, lambda args, loop vars). */
function declaredNames(ast: AstNode): Set<string> {
  const names = new Set<string>();
  walkAst(ast, (n) => {
    if (n.node === 'VariableDeclaration' && typeof n.name === 'string') names.add(n.name);
    if (n.node === 'Function') {
      if (typeof n.name === 'string') names.add(n.name);
      for (const p of (n.params as string[] | undefined) ?? []) names.add(p);
    }
    if (n.node === 'Lambda') for (const a of (n.args as string[] | undefined) ?? []) names.add(a);
    if (n.node === 'ForInStatement') {
      if (typeof n.keyVar === 'string') names.add(n.keyVar);
      if (typeof n.valueVar === 'string') names.add(n.valueVar);
    }
  });
  return names;
}

/** `generate_template_bytecode`'s globals check for input templates of transformations. */
export function templateGlobalsError(ast: AstNode, functionType: string): string | undefined {
  let allowed: string[];
  let label: string;
  if (functionType === 'transformation') {
    allowed = ['project', 'event', 'inputs', ...TRANSFORMATION_RUNTIME_FUNCTIONS, ...CORE_SUPPORTED_FUNCTIONS, ...PRODUCT_ASYNC_FUNCTIONS];
    label = 'Variable not available in transformations: %s. Transformations only have access to project, event, and inputs.';
  } else if (functionType === 'transformation_log') {
    allowed = ['project', 'record', 'inputs', ...CORE_SUPPORTED_FUNCTIONS, ...PRODUCT_ASYNC_FUNCTIONS];
    label = 'Variable not available in log transformations: %s. Log transformations only have access to project, record, and inputs.';
  } else {
    return undefined;
  }
  const invalid = [...fieldRoots(ast)].filter((r) => !allowed.includes(r)).sort();
  return invalid.length ? label.replace('%s', invalid.join(', ')) : undefined;
}

/** `compile_hog` for `transformation_log`: no async calls, and only project/record/inputs or locals. */
export function logTransformationCodeError(ast: AstNode): string | undefined {
  const declared = declaredNames(ast);
  const invalid = [...fieldRoots(ast)].filter((r) => !['project', 'record', 'inputs'].includes(r) && !declared.has(r)).sort();
  if (invalid.length) {
    return `Variable not available in log transformations: ${invalid.join(', ')}. Log transformations only have access to project, record, and inputs.`;
  }
  let call: string | undefined;
  walkAst(ast, (n) => {
    const async = [...CORE_SUPPORTED_FUNCTIONS, ...PRODUCT_ASYNC_FUNCTIONS, ...RESERVED_FUNCTIONS];
    if (!call && n.node === 'Call' && typeof n.name === 'string' && async.includes(n.name)) call = n.name;
  });
  return call ? `Hog function \`${call}\` is not implemented` : undefined;
}

/** `reserved_functions_used`: reserved names called or referenced anywhere in the program. */
export function reservedFunctionsUsed(ast: AstNode): Set<string> {
  const used = new Set<string>();
  walkAst(ast, (n) => {
    if (n.node === 'Call' && typeof n.name === 'string' && RESERVED_FUNCTIONS.includes(n.name)) used.add(n.name);
    if (n.node === 'Field' && Array.isArray(n.chain) && RESERVED_FUNCTIONS.includes(String(n.chain[0]))) used.add(String(n.chain[0]));
  });
  return used;
}
