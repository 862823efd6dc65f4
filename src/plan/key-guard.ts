import { canonicalJson, type Json } from '../json.js';
import { lookupVar, varNames, type VarSources } from './vars.js';

// A file that writes `${POSTHOG_PERSONAL_API_KEY}` into a hog function's webhook URL would have
// push hand the key to whoever runs that webhook, while the diff a reviewer reads shows only
// `********` (the key is masked in all output). So no `${VAR}` may expand to a personal API key:
// not by its name (any environment's api_key_env), not through `vars:`, not by its value.

/** Keys shorter than this are not looked for inside values: a short test key would match by chance. */
const MIN_KEY_LENGTH = 8;

/** The personal API keys this process holds: the values of the key variables that are set. */
export function heldKeys(sources: Pick<VarSources, 'env' | 'keyVariables'>): string[] {
  const keys = sources.keyVariables
    .map((n) => sources.env[n]?.trim())
    .filter((k): k is string => k !== undefined && k.length >= MIN_KEY_LENGTH);
  return [...new Set(keys)];
}

/**
 * Why `${name}` would put a personal API key into a request, as a phrase ("${X} holds the
 * personal API key (...)"), or undefined when it would not: the name is a key variable, `vars:` sets
 * it from one, or its value holds a key this process has.
 */
export function keyCarrier(name: string, sources: VarSources): string | undefined {
  if (sources.keyVariables.includes(name)) return `\${${name}} holds the personal API key (${name} is an api_key_env)`;
  const configured = sources.vars[name];
  const via = configured === undefined ? undefined : varNames(configured).find((n) => sources.keyVariables.includes(n));
  if (via !== undefined)
    return `\${${name}} holds the personal API key (vars:${sources.environment ? ` of environment ${sources.environment}` : ''} sets it to \${${via}})`;
  const value = lookupVar(name, sources);
  if (value !== undefined && heldKeys(sources).some((k) => value.includes(k)))
    return `\${${name}} holds the personal API key (its value is the key)`;
  return undefined;
}

/** Whether a request body would carry one of the keys this process holds, however it got there. */
export function carriesKey(body: Json, keys: readonly string[]): boolean {
  if (keys.length === 0) return false;
  const text = canonicalJson(body);
  // JSON escapes some characters; a key holding one is looked for in that form too.
  return keys.some((k) => text.includes(k) || text.includes(JSON.stringify(k).slice(1, -1)));
}

/** The advice that ends every refusal of a key in a request. */
export const KEY_ADVICE =
  'hogsync never puts the key into a resource, where a webhook or anyone in PostHog could read it: use a variable that holds only what this value needs';
