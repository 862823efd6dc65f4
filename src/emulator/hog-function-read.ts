// HogFunctionSerializer / HogFunctionMinimalSerializer output (products/cdp/backend/api/hog_function.py).
import { renderInputs } from './hog-function-inputs.js';
import { findTemplate, type TemplateDef } from './hog-function-template-data.js';
import { clone, type JsonObject } from './json.js';
import type { ProjectStore, StoredHogFunction } from './types.js';
import { userBasic } from './users.js';

/** HogFunctionTemplateSerializer. */
export function templateOut(t: TemplateDef): JsonObject {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    code: t.code,
    code_language: t.code_language,
    inputs_schema: clone(t.inputs_schema),
    type: t.type,
    status: t.status,
    category: [...t.category],
    free: t.free,
    icon_url: t.icon_url,
    filters: clone(t.filters),
    masking: clone(t.masking),
    mapping_templates: clone(t.mapping_templates),
  };
}

/** The HogWatcher state: the emulator reports healthy for enabled functions. */
function status(fn: StoredHogFunction): JsonObject {
  return fn.enabled ? { state: 1, tokens: 10000 } : { state: 0, tokens: 0 };
}

function template(fn: StoredHogFunction): JsonObject | null {
  const t = fn.template_id ? findTemplate(fn.template_id) : undefined;
  return t ? templateOut(t) : null;
}

export interface HogFunctionReadContext {
  /**
   * The PostHog has hog-function drafts and revisions (`ProjectStore.hogFunctionDrafts`): its
   * serializers carry `version`, `draft` and `draft_updated_at`. Older ones (hog_function.py at
   * 97b1610) have none of them.
   */
  drafts: boolean;
  /** Set when the list was searched: `search_match_type` is only present then. */
  searchMatchType?: 'exact' | 'similar';
}

/** The read context of a function of `project`. */
export function readContext(project: ProjectStore): HogFunctionReadContext {
  return { drafts: project.hogFunctionDrafts };
}

function searchField(ctx: HogFunctionReadContext): JsonObject {
  return ctx.searchMatchType ? { search_match_type: ctx.searchMatchType } : {};
}

export function hogFunctionMinimal(fn: StoredHogFunction, ctx: HogFunctionReadContext): JsonObject {
  return {
    id: fn.id,
    type: fn.type,
    name: fn.name,
    description: fn.description,
    created_at: fn.created_at,
    created_by: userBasic(fn.created_by),
    updated_at: fn.updated_at,
    enabled: fn.enabled,
    hog: fn.hog,
    filters: clone(fn.filters),
    icon_url: fn.icon_url,
    template: template(fn),
    status: status(fn),
    execution_order: fn.execution_order,
    ...searchField(ctx),
    // Drafts only apply to agent (MCP) callers, which the emulator does not model.
    ...(ctx.drafts ? { draft_updated_at: null } : {}),
  };
}

export function hogFunctionFull(fn: StoredHogFunction, ctx: HogFunctionReadContext): JsonObject {
  return {
    id: fn.id,
    type: fn.type,
    name: fn.name,
    description: fn.description,
    created_at: fn.created_at,
    created_by: userBasic(fn.created_by),
    updated_at: fn.updated_at,
    enabled: fn.enabled,
    hog: fn.hog,
    bytecode: clone(fn.bytecode),
    transpiled: fn.transpiled,
    inputs_schema: clone(fn.inputs_schema),
    inputs: renderInputs(fn.inputs_schema, fn.inputs, fn.encrypted_inputs),
    filters: clone(fn.filters),
    masking: clone(fn.masking),
    mappings: clone(fn.mappings),
    icon_url: fn.icon_url,
    template: template(fn),
    status: status(fn),
    execution_order: fn.execution_order,
    batch_export_id: fn.batch_export_id,
    ...searchField(ctx),
    ...(ctx.drafts ? { version: fn.version, draft: null, draft_updated_at: null } : {}),
  };
}
