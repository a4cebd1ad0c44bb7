/**
 * Allow comments are read from the text once, however many findings ask about them: a file's
 * findings cost time linear in their number (issue 20: each finding searched the whole text again).
 * Timing lives in bench/scan/many-findings.ts; here the text's own methods are counted.
 */
import { describe, expect, it } from 'vitest';
import { AllowComments } from '../../../src/scan/baseline.js';

/** A string object whose string methods count their calls (what AllowComments does with the text). */
function counted(text: string): { text: string; calls: () => number } {
  const boxed = new String(text) as String & Record<string, unknown>;
  let calls = 0;
  for (const name of ['includes', 'indexOf', 'lastIndexOf', 'split', 'slice', 'substring', 'match', 'matchAll', 'search'] as const) {
    const method = String.prototype[name] as (...a: unknown[]) => unknown;
    Object.defineProperty(boxed, name, { value: (...a: unknown[]) => (calls++, method.apply(text, a)) });
  }
  return { text: boxed as unknown as string, calls: () => calls };
}

describe('allow comments', () => {
  const variants: [string, string, [string, number, boolean][]][] = [
    ['no comment at all', 'a: 1\nb: 2\n'.repeat(500), [['k8s-secret-plaintext', 3, false], ['all', 999, false]]],
    [
      'same line, line above, several rules, all',
      'x: 1\npassword: x # ksec:allow k8s-secret-plaintext\n# ksec:allow private-key, github-token\nkey: y\nz: 3 # ksec:allow all\n' + 'pad: p\n'.repeat(500),
      [['k8s-secret-plaintext', 2, true], ['k8s-secret-plaintext', 3, true], ['private-key', 4, true], ['github-token', 3, true], ['private-key', 2, false], ['anything', 5, true], ['anything', 6, true], ['anything', 7, false], ['k8s-secret-plaintext', 1, false]],
    ],
    ['CRLF lines, first line, last line without newline', '# ksec:allow aws-access-key\r\nk: v\r\n'.repeat(3) + 'end: e # ksec:allow stripe-key', [['aws-access-key', 1, true], ['aws-access-key', 2, true], ['aws-access-key', 7, false], ['stripe-key', 7, true], ['stripe-key', 8, true]]],
  ];
  it.each(variants)('%s: the same answers, from one reading of the text however many findings ask', (_name, text, questions) => {
    const { text: boxed, calls } = counted(text);
    const allow = new AllowComments(boxed);
    for (const [rule, line, expected] of questions) expect(allow.allows(rule, line), `${rule}@${line}`).toBe(expected);
    const afterFirst = calls();
    for (let i = 0; i < 2000; i++) for (const [rule, line, expected] of questions) expect(allow.allows(rule, line)).toBe(expected);
    expect(calls()).toBe(afterFirst);
  });
});
