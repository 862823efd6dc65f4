// PostHog's parser speaks ANTLR: "extraneous input '{' expecting {ALL, AND, ANTI, …150 tokens}",
// "no viable alternative at input '<the whole statement so far>'", or, for some inputs, only
// "Unexpected exception in parser" at offset 0. People get one short sentence instead: what was
// found, what was expected when that is a short list, and where (the offset of the offending token).

/** Expected-token lists longer than this say nothing a reader can use. */
const MAX_EXPECTED = 5;

export interface Readable {
  message: string;
  offset: number;
}

export function readableProblem(message: string, text: string, offset: number): Readable {
  // A bracket or quote left open is where the reader should look, wherever the parser noticed it.
  const bracket = unmatchedBracket(text);
  const expecting = /^(?:extraneous|mismatched) input '(.*)' expecting (.+)$/s.exec(message);
  if (expecting) return bracket ?? { message: unexpected(expecting[1] as string, expected(expecting[2] as string)), offset };
  const missing = /^missing (.+) at '(.*)'$/s.exec(message);
  if (missing)
    return { message: `missing ${missing[1]} ${missing[2] === '<EOF>' ? 'at the end' : `before ${quoted(missing[2] as string)}`}`, offset };
  if (/^no viable alternative at input /.test(message)) return bracket ?? { message: unexpected(tokenAt(text, offset)), offset };
  if (/^token recognition error at: /.test(message))
    return { message: `unexpected ${message.replace(/^token recognition error at: /, '')}`, offset };
  if (/unexpected exception/i.test(message)) {
    return (
      bracket ?? { message: "PostHog's parser cannot read this code and does not say where: check brackets, quotes and commas", offset }
    );
  }
  return { message, offset };
}

function unexpected(token: string, wanted?: string): string {
  if (token === '<EOF>' || token === '') return `the code ends too early${wanted ? `: expected ${wanted}` : ''}`;
  return `unexpected ${quoted(token)}${wanted ? `: expected ${wanted}` : ''}`;
}

/** `'}'` or `{A, B, C}` as words, when the list is short enough to help. */
function expected(set: string): string | undefined {
  const items = set.startsWith('{') ? set.slice(1, -1).split(', ') : [set];
  if (items.length > MAX_EXPECTED) return undefined;
  const words = items.map((i) => (i.startsWith("'") ? i : i.toLowerCase()));
  return words.length === 1 ? words[0] : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function quoted(token: string): string {
  return token.startsWith("'") ? token : `'${token.replace(/\n/g, '\\n')}'`;
}

/** The token at `offset`: a word, a number, or one character. */
function tokenAt(text: string, offset: number): string {
  if (offset >= text.length) return '<EOF>';
  return /^(?:[\p{L}\p{N}_$]+|\S)/u.exec(text.slice(offset))?.[0] ?? text.charAt(offset);
}

const PAIRS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** The first bracket without its partner, outside strings and comments. */
function unmatchedBracket(text: string): Readable | undefined {
  const open: Array<{ ch: string; at: number }> = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charAt(i);
    if (ch === "'" || ch === '"' || ch === '`') {
      const end = text.indexOf(ch, i + 1);
      if (end < 0) return { message: `this ${ch === "'" ? 'string' : 'quoted name'} is never closed`, offset: i };
      i = end;
    } else if (ch === '/' && text.charAt(i + 1) === '/') {
      i = text.indexOf('\n', i) < 0 ? text.length : text.indexOf('\n', i);
    } else if (ch === '/' && text.charAt(i + 1) === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) return { message: 'this comment is never closed', offset: i };
      i = end + 1;
    } else if (ch === '(' || ch === '[' || ch === '{') {
      open.push({ ch, at: i });
    } else if (ch in PAIRS) {
      const last = open.pop();
      if (!last) return { message: `unexpected '${ch}': nothing to close`, offset: i };
      if (last.ch !== PAIRS[ch]) return { message: `unexpected '${ch}': the '${last.ch}' before it is still open`, offset: i };
    }
  }
  const left = open.pop();
  return left ? { message: `this '${left.ch}' is never closed`, offset: left.at } : undefined;
}
