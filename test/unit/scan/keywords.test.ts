/**
 * The scan's prefilter: the keyword finder says exactly what a search for
 * each keyword says, every rule family's keywords are necessary (a text
 * without them is one no family applies to and no text rule fires on), and
 * the families decide the same with its answers as with their own searches.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { KeywordSet } from '../../../src/scan/keywords.js';
import { ALL_KEYWORDS, FILE_RULES, OBJECT_RULES, TEXT_RULES } from '../../../src/scan/rules/index.js';
import { corpusRng, filesUnder, randomStream, realisticManifest } from '../manifest/yaml-corpus.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

describe('KeywordSet', () => {
  it('finds each keyword exactly where a search for it finds it', () => {
    const words = ['gh', 'xox', 'npm_', 'PRIVATE KEY', 'Secret', 'SealedSecret', 'sops', 'AB'];
    const set = new KeywordSet(words);
    const rng = corpusRng(3);
    // pieces of the keywords, whole and cut, so near misses are common, and filler (multi-byte UTF-8 included)
    const cut = [...words.map((w) => w.slice(0, -1)), ...words.map((w) => w.slice(1)), 'g', 'x', 'A', 'B', 'ab', 'SealedSecre', 'nops'];
    const filler = [' ', '\n', 'é', 'metadata:', 'name: web', '  ', 'value-1'];
    let hits = 0;
    for (let i = 0; i < 20_000; i++) {
      const n = Math.floor(rng() * 40);
      const pick = (xs: readonly string[]) => xs[Math.floor(rng() * xs.length)]!;
      const piece = () => {
        const r = rng();
        return r < 0.02 ? pick(words) : r < 0.4 ? pick(cut) : pick(filler);
      };
      const text = Array.from({ length: n }, piece).join('');
      const found = set.in(Buffer.from(text));
      for (const w of words) expect(set.has(found, w), `${w} in ${JSON.stringify(text)}`).toBe(text.includes(w));
      if (found !== 0) hits++;
    }
    expect(hits).toBeGreaterThan(4000);
    expect(hits).toBeLessThan(16_000);
    for (const [text, expected] of [['', false], ['g', false], ['gh', true], ['xgh', true], ['ghx', true], ['AAB', true], ['xo', false], ['Secre', false], [`${'x'.repeat(100_000)}sops`, true]] as const) {
      expect(set.in(Buffer.from(text)) !== 0, text.slice(-20)).toBe(expected);
    }
    expect(set.has(set.in(Buffer.from('gh')), 'template')).toBeUndefined(); // not one of its keywords: the caller searches
  });

  it('refuses keyword lists it cannot hold', () => {
    expect(() => new KeywordSet([''])).toThrow(/keyword prefilter/);
    expect(() => new KeywordSet(['clé'])).toThrow(/keyword prefilter/);
    expect(() => new KeywordSet(Array.from({ length: 33 }, (_, i) => `k${i}`))).toThrow(/keyword prefilter/);
    expect(() => new KeywordSet([])).toThrow(/keyword prefilter/);
  });
});

describe("the rule families' keywords", () => {
  it('are necessary: without them no family applies and no text rule fires', async () => {
    const paths = ['test/fixtures', 'examples', 'deploy'].flatMap((d) => filesUnder(`${ROOT}${d}`, /\.(ya?ml|json|env|ini|txt|pem|key)$|Kustomization$/));
    const rng = corpusRng(17);
    const texts = [
      ...paths.map((p) => readFileSync(p, 'utf8')),
      ...Array.from({ length: 500 }, () => realisticManifest(rng)),
      ...Array.from({ length: 500 }, () => randomStream(rng)),
    ];
    const set = new KeywordSet(ALL_KEYWORDS);
    let without = 0;
    let withApplying = 0;
    for (const text of texts) {
      const applies = OBJECT_RULES.some((f) => f.mayApply(text, 'x.yaml')) || FILE_RULES.some((f) => f.mayApply(text, 'x.yaml')) || TEXT_RULES.some((f) => f.check(text).length > 0);
      if (applies) withApplying++;
      const found = set.in(Buffer.from(text));
      const has = (literal: string) => set.has(found, literal) ?? text.includes(literal);
      for (const f of [...OBJECT_RULES, ...FILE_RULES]) expect(f.mayApply(text, 'x.yaml', has), f.family).toBe(f.mayApply(text, 'x.yaml'));
      for (const f of TEXT_RULES) expect(f.check(text, has), f.family).toEqual(f.check(text));
      if (found !== 0) continue;
      without++;
      expect(applies, text.slice(0, 300)).toBe(false);
    }
    // both sides are exercised
    expect(without).toBeGreaterThan(300);
    expect(withApplying).toBeGreaterThan(100);
  });
});
