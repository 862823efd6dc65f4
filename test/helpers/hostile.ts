/** The billion laughs: ten levels of nine aliases each, 10^9 strings once expanded, from under 1 KB of text. */
export function billionLaughs(indent = ''): string {
  const lines = [`${indent}a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i < 10; i++) lines.push(`${indent}a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
  lines.push(`${indent}bomb: *a9`);
  return `${lines.join('\n')}\n`;
}
