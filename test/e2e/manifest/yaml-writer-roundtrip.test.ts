/**
 * Round trip of ksec's YAML writer through the cluster's reader: every
 * generated object is rendered by toYaml (src/manifest/write.ts: what
 * `eso generate`, `keygen`, `checksum` and the SOPS paths write) and read back
 * by the bed's Go reader (sigs.k8s.io/yaml as kubectl and kubeseal read it).
 * The Go reader must accept each document and give back exactly the object
 * written, and so must ksec's own reader. The strings are built from the
 * pieces YAML treats specially: YAML 1.1 words and numbers, indicators,
 * comments, document markers, quotes, leading and trailing spaces and tabs,
 * line breaks (also CRLF and the Unicode ones), control characters, non-ASCII
 * text. Deterministic (seeded).
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../../src/manifest/read.js';
import { toYaml } from '../../../src/manifest/write.js';
import { mulberry32 } from '../../helpers/prng.js';
import { canonical, goVerdicts, readerPath } from './go-yaml-reader.js';
import { SCALARS, type Rng } from './yaml11-corpus.js';

const PIECES = [
  ...SCALARS,
  ' ', '  ', '\t', '\n', '\n\n', '\r\n', '\n  ', '\n\t', ' \n', '#', ' #', '# x', ':', ': ', ' :', '- ', '-', '? ', '---', '...', '--- x',
  "'", '"', "''", '\\', '{', '}', '[', ']', ',', '&a', '*a', '!tag', '!!str', '%YAML', '@', '`', '|', '>', '|-', '>+', '<<',
  'é', 'ß', '日本', '😀', '\u00a0', '\u0085', '\u2028', '\u2029', '\ufeff', '\x00', '\x07', '\x1b', '\x7f', '\x9f', 'plain text', 'base64+/=',
];

const pick = <T>(r: Rng, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

/** A string of one to six pieces; a quarter of them a single piece (a whole YAML 1.1 word or number). */
function text(r: Rng): string {
  const n = r() < 0.25 ? 1 : 1 + Math.floor(r() * 6);
  return Array.from({ length: n }, () => pick(r, PIECES)).join('');
}

/** A map of n entries with distinct generated keys. */
function map(r: Rng, n: number, value: (r: Rng) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) out[text(r)] = value(r);
  return out;
}

/** A ConfigMap-shaped object: generated names, annotations, labels and data, and nested lists and maps. */
function object(r: Rng, i: number): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `demo-${i}`, annotations: map(r, 3, text), labels: map(r, 2, text) },
    data: map(r, 4, text),
    extra: { list: [text(r), [text(r), text(r)], map(r, 2, text), ''], nested: map(r, 2, (r2) => map(r2, 2, text)), empty: {}, none: [] },
  };
}

describe("ksec's YAML writer against sigs.k8s.io/yaml (kubectl, kubeseal)", () => {
  it('writes documents the cluster reads back as exactly the object written', async () => {
    const reader = readerPath();
    expect(existsSync(reader), `${reader} missing: run bash test/e2e/testbed/install.sh yaml-reader`).toBe(true);
    const r = mulberry32(1907);
    const objects = Array.from({ length: 3000 }, (_, i) => object(r, i));
    const texts = objects.map((o) => toYaml(o));
    const go = await goVerdicts(reader, texts);
    expect(go.length).toBe(objects.length);
    const wrong: { text: string; go: unknown; ksec: string }[] = [];
    objects.forEach((o, i) => {
      const want = canonical(o);
      let ksec: string;
      try {
        ksec = canonical(parseManifestText(texts[i]!, 'written.yaml').documents[0]?.value);
      } catch (err) {
        ksec = `refused: ${(err as Error).message}`;
      }
      if (!go[i]!.ok || go[i]!.json !== want || ksec !== want) wrong.push({ text: texts[i]!, go: go[i], ksec });
    });
    expect(wrong.slice(0, 5)).toEqual([]);
  });
});
