/**
 * The labelled corpus: every file is labelled with the rules that must fire
 * on it (or none). Precision and recall over (file, rule) pairs must be 1.0,
 * and no output format may carry a demo secret value.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderJson } from '../../../src/scan/report/json.js';
import { renderJunit } from '../../../src/scan/report/junit.js';
import { renderSarif } from '../../../src/scan/report/sarif.js';
import { renderText } from '../../../src/scan/report/text.js';
import { ALL_FAMILIES, ALL_RULES, selectRules } from '../../../src/scan/rules/index.js';
import { scan } from '../../../src/scan/scan.js';
import { pathSource } from '../../../src/scan/sources/paths.js';
import { loadSopsCreationRules } from '../../../src/scan/sops-config.js';
import type { ScanResult } from '../../../src/scan/types.js';
import { assertNoSecrets } from './canary.js';

const CORPUS = fileURLToPath(new URL('../../fixtures/scan/corpus/', import.meta.url));
const labels = JSON.parse(readFileSync(`${CORPUS}labels.json`, 'utf8')) as { files: Record<string, string[]> };

let result: ScanResult;
beforeAll(async () => {
  const sopsCreationRules = await loadSopsCreationRules(CORPUS);
  result = await scan(await pathSource(['.'], { cwd: CORPUS }), { rules: selectRules('all'), ...(sopsCreationRules ? { sopsCreationRules } : {}) });
});

function pairs(entries: Iterable<[string, string]>): Set<string> {
  return new Set([...entries].map(([f, r]) => `${f} ${r}`));
}

describe('labelled corpus', () => {
  it('labels every scanned file, and every labelled file exists', () => {
    const scanned = new Set<string>();
    for (const f of result.findings) scanned.add(f.file);
    for (const file of scanned) expect(Object.keys(labels.files)).toContain(file);
    expect(result.files).toBe(Object.keys(labels.files).length + 2); // + labels.json, .sops.yaml
  });

  it('has precision and recall of 1.0', () => {
    const expected = pairs(Object.entries(labels.files).flatMap(([f, rules]) => rules.map((r) => [f, r] as [string, string])));
    const actual = pairs(result.findings.map((f) => [f.file, f.rule]));
    const truePositives = [...actual].filter((p) => expected.has(p)).length;
    const precision = truePositives / actual.size;
    const recall = truePositives / expected.size;
    expect({ falsePositives: [...actual].filter((p) => !expected.has(p)), missed: [...expected].filter((p) => !actual.has(p)) }).toEqual({
      falsePositives: [],
      missed: [],
    });
    expect(precision).toBe(1);
    expect(recall).toBe(1);
  });

  it('has a positive for every rule and a negative for every family', () => {
    const positives = new Set(Object.values(labels.files).flat());
    // the scan's own rules (a file too large to read) need files no corpus holds: large-files.test.ts
    for (const rule of ALL_RULES.filter((r) => r.family !== 'scan')) {
      expect(positives, rule.id).toContain(rule.id);
    }
    const negativeDirs = new Set(Object.entries(labels.files).filter(([, r]) => r.length === 0).map(([f]) => f.split('/')[0]));
    for (const family of ALL_FAMILIES) {
      const dir = family === 'k8s-secret' ? 'k8s-secret' : family;
      expect(negativeDirs, family).toContain(dir);
    }
  });

  it('reports no error and counts the allowed finding', () => {
    expect(result.errors).toEqual([]);
    expect(result.suppressed).toBe(1);
  });

  it('never prints a value in any format', () => {
    for (const output of [
      renderText(result),
      renderJson(result),
      renderSarif(result, ALL_RULES, '0.0.0'),
      renderJunit(result, ALL_RULES),
    ]) {
      assertNoSecrets(output);
    }
  });
});
