import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testbed } from '../testbed/env.js';
import { compareSuffixes, writeKustomizeTree } from './kustomize-cases.js';

describe('kustomizeHash against the real kustomize build', () => {
  it.each([
    ['plain', {}],
    ['with namePrefix and namespace', { namePrefix: 'pre-', namespace: 'prod' }],
  ] as const)('%s: 240 generated ConfigMaps and Secrets get the suffix kustomize appends', async (_label, options) => {
    const bed = testbed();
    const dir = mkdtempSync(join(tmpdir(), 'ksec-kustomize-'));
    writeKustomizeTree(dir, 240, options);
    const { stdout } = await bed.exec('kustomize', ['build', dir]);
    const results = compareSuffixes(stdout);
    expect(results).toHaveLength(240);
    expect(results.filter((r) => r.kind === 'Secret').length).toBeGreaterThanOrEqual(100);
    expect(results.filter((r) => r.kind === 'ConfigMap').length).toBeGreaterThanOrEqual(100);
    const mismatches = results.filter((r) => r.kustomize !== r.ours);
    expect(mismatches).toEqual([]);
  });
});
