/**
 * Differential test of ksec's manifest reader against the cluster's:
 * yaml-reader (test/e2e/testbed/yaml-reader/main.go, sigs.k8s.io/yaml at the
 * version kubeseal pins, built by install.sh) reads every document of the
 * generated corpus (yaml11-corpus.ts: more than 20,000 documents, every row of
 * issue 19's table and ordinary manifests) in one process, JSON lines in and
 * out; ksec reads each with parseManifestText. They must agree on every one:
 * accept or refuse, the resulting JSON, and whether the typed fields
 * (annotations, labels, Secret/ConfigMap data) hold only strings.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fieldTypeProblem } from '../../../src/manifest/field-types.js';
import { parseManifestText } from '../../../src/manifest/read.js';
import { canonical, goVerdicts, readerPath, type Verdict } from './go-yaml-reader.js';
import { CATEGORIES, corpus } from './yaml11-corpus.js';

function ksecVerdict(text: string): Verdict {
  let value: unknown;
  try {
    const docs = parseManifestText(text, 'doc.yaml').documents;
    value = docs[0]?.value ?? null;
  } catch {
    return { ok: false };
  }
  const object = value !== null && typeof value === 'object' && !Array.isArray(value);
  return { ok: true, json: canonical(value), typed: object ? fieldTypeProblem(value as Record<string, unknown>) !== undefined : false };
}

describe('the manifest reader against sigs.k8s.io/yaml (kubectl, kubeseal)', () => {
  it('agrees on every generated document: accept or refuse, the JSON, the typed fields', async () => {
    const reader = readerPath();
    expect(existsSync(reader), `${reader} missing: run bash test/e2e/testbed/install.sh yaml-reader`).toBe(true);
    const docs = corpus();
    expect(docs.length).toBeGreaterThanOrEqual(20_000);
    const go = await goVerdicts(reader, docs.map((d) => d.text));
    expect(go.length).toBe(docs.length);
    const disagreements: { category: string; text: string; go: Verdict; ksec: Verdict }[] = [];
    const seen = new Map<string, { accepted: number; refused: number }>();
    docs.forEach((doc, i) => {
      const k = ksecVerdict(doc.text);
      const g = go[i]!;
      const tally = seen.get(doc.category) ?? { accepted: 0, refused: 0 };
      tally[g.ok ? 'accepted' : 'refused']++;
      seen.set(doc.category, tally);
      if (k.ok !== g.ok || (k.ok && (k.json !== g.json || k.typed !== g.typed))) disagreements.push({ category: doc.category, text: doc.text, go: g, ksec: k });
    });
    // the corpus covers both sides: documents the cluster reads (all but the duplicate keys) and ones it refuses
    for (const [category] of CATEGORIES) {
      const tally = seen.get(category)!;
      if (category !== 'same-key') expect(tally.accepted, `${category}: accepted`).toBeGreaterThan(0);
      if (!['ordinary manifests', 'typed fields'].includes(category)) expect(tally.refused, `${category}: refused`).toBeGreaterThan(0);
    }
    expect(disagreements.slice(0, 10)).toEqual([]);
    expect(disagreements.length).toBe(0);
  });
});
