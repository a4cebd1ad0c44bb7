import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { shamirCombine } from '../../../src/sops/shamir.js';

/** Split by sops's own shamir package (test/fixtures/sops/shamir-vectors/main.go). */
const vectors = JSON.parse(readFileSync(new URL('../../fixtures/sops/shamir-vectors/vectors.json', import.meta.url), 'utf8')) as {
  secret: string;
  threshold: number;
  parts: string[];
}[];

/** Every subset of `items` with at least `min` members. */
function subsets<T>(items: T[], min: number): T[][] {
  const out: T[][] = [];
  for (let mask = 1; mask < 1 << items.length; mask++) {
    const pick = items.filter((_, i) => mask & (1 << i));
    if (pick.length >= min) out.push(pick);
  }
  return out;
}

describe('shamirCombine (vectors from sops/v3/shamir)', () => {
  it.each(vectors.map((v, i) => [`${i}: ${v.parts.length} parts, threshold ${v.threshold}, ${v.secret.length / 2} bytes`, v] as const))('%s', (_name, v) => {
    const parts = v.parts.map((p) => Buffer.from(p, 'hex'));
    for (const subset of subsets(parts, v.threshold)) {
      expect(shamirCombine(subset).toString('hex')).toBe(v.secret);
      expect(shamirCombine([...subset].reverse()).toString('hex')).toBe(v.secret);
    }
  });

  it('does not give the secret from fewer parts than the threshold', () => {
    const v = vectors.find((x) => x.threshold >= 3)!;
    const parts = v.parts.map((p) => Buffer.from(p, 'hex'));
    expect(shamirCombine(parts.slice(0, v.threshold - 1)).toString('hex')).not.toBe(v.secret);
  });

  it('refuses parts of unequal length or with the same x coordinate', () => {
    const parts = vectors[0]!.parts.map((p) => Buffer.from(p, 'hex'));
    expect(() => shamirCombine([parts[0]!, parts[1]!.subarray(1)])).toThrow();
    expect(() => shamirCombine([parts[0]!, parts[0]!])).toThrow();
  });
});
