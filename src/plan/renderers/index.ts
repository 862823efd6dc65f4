import type { Plan } from '../diff.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import { renderText } from './text.js';

export { planDocument } from './json.js';

export interface RenderOptions {
  color: boolean;
}

/** Output formats of diff (and push --dry-run), by name. */
export const RENDERERS = {
  text: (plan: Plan, opts: RenderOptions) => renderText(plan, opts),
  json: (plan: Plan) => renderJson(plan),
  markdown: (plan: Plan) => renderMarkdown(plan, { marker: 'hogsync-plan' }),
} satisfies Record<string, (plan: Plan, opts: RenderOptions) => string>;
