// The fields of a PostHogApiError, from an error answer's body: PostHog's envelope, raw DRF field
// errors, or a summary of anything else. All of it is server text, so all of it is redacted.
import type { ApiErrorFields } from '../errors.js';
import { summarizeBody } from './answer-check.js';

/** Longest server-provided text kept in an error message. */
const MAX_DETAIL_CHARS = 500;

type Fields = Pick<ApiErrorFields, 'type' | 'apiCode' | 'detail' | 'attr' | 'fromPostHog'>;

export function errorFields(text: string, contentType: string | null, redact: (text: string) => string): Fields {
  const raw = rawFields(text, contentType);
  const clean = (s: string | undefined) => (s === undefined ? undefined : clip(redact(s)));
  return {
    type: clean(raw.type),
    apiCode: clean(raw.code),
    detail: clean(raw.detail),
    attr: raw.attr === null || raw.attr === undefined ? raw.attr : clean(raw.attr),
    fromPostHog: raw.envelope === true,
  };
}

/**
 * PostHog's `{type, code, detail, attr}` envelope (`envelope`: DRF's `{detail}` counts too), raw
 * DRF errors (`{"field": ["msg"]}`), or a summary of anything else.
 */
function rawFields(
  text: string,
  contentType: string | null,
): { type?: string; code?: string; detail?: string; attr?: string | null; envelope?: boolean } {
  if (!text.trim()) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { detail: summarizeBody(text, contentType) };
  }
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    if (typeof b.detail === 'string' || typeof b.code === 'string') {
      return {
        type: typeof b.type === 'string' ? b.type : undefined,
        code: typeof b.code === 'string' ? b.code : undefined,
        detail: typeof b.detail === 'string' ? b.detail : undefined,
        attr: typeof b.attr === 'string' ? b.attr : null,
        envelope: true,
      };
    }
    const [first] = Object.entries(b);
    if (first) {
      const [attr, messages] = first;
      const msg = Array.isArray(messages) ? messages.map(String).join(' ') : JSON.stringify(messages);
      return { code: 'invalid_input', detail: msg, attr };
    }
  }
  return { detail: summarizeBody(text, contentType) };
}

/** Redacted first, then cut: cutting first could leave half a secret that no longer matches. */
function clip(text: string): string {
  return text.length > MAX_DETAIL_CHARS ? `${text.slice(0, MAX_DETAIL_CHARS)}… (${text.length - MAX_DETAIL_CHARS} more characters)` : text;
}
