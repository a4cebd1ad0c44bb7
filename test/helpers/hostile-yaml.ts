/** Hostile YAML for the readers' bounds (issue 19 point 8, issue 20): alias bombs and deep nesting. */

/**
 * The classic nested-alias bomb: a0 holds 9 strings, each a(n) 9 aliases of
 * a(n-1), so a9 expands to 9^10 strings from about 670 bytes of text.
 */
export function aliasBomb(indent = ''): string {
  const lines = [`${indent}a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]`];
  for (let i = 1; i <= 9; i++) lines.push(`${indent}a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]`);
  return lines.join('\n') + '\n';
}

/** `levels` nested flow sequences on one line: [[[...]]] */
export function deepFlow(levels: number): string {
  return '['.repeat(levels) + ']'.repeat(levels);
}

/** `levels` nested block sequences, one `-` per line, each one space deeper, under `key:` at `indent` */
export function deepBlock(levels: number, indent = ''): string {
  let out = '';
  for (let i = 0; i < levels; i++) out += `${indent}${' '.repeat(i)}-\n`;
  return out;
}

export const SECRET_HEAD = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n  namespace: b\n';
