/**
 * Fail closed on big files: a file the scan does not read whole is a finding, unless the user left it
 * out on purpose (a --max-file-size they chose, counted in the summary). Every source: paths, staged,
 * history.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderJson } from '../../../src/scan/report/json.js';
import { renderSummary } from '../../../src/scan/report/text.js';
import { selectRules } from '../../../src/scan/rules/index.js';
import { failsAt, scan } from '../../../src/scan/scan.js';
import { historySource } from '../../../src/scan/sources/history.js';
import { pathSource } from '../../../src/scan/sources/paths.js';
import { stagedSource } from '../../../src/scan/sources/staged.js';
import { assertNoSecrets } from './canary.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string | Buffer>, git = false): { dir: string; run: (...args: string[]) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-scan-large-'));
  dirs.push(dir);
  const run = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.email=t@example.com', '-c', 'user.name=t', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
  if (git) run('init', '-q', '-b', 'main');
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, run };
}

/** a plaintext Secret padded past `size` bytes with ConfigMaps */
function bigSecret(size: number, value = 'demo-CANARY-big-1'): string {
  let text = `apiVersion: v1\nkind: Secret\nmetadata:\n  name: big\nstringData:\n  password: ${value}\n`;
  let n = 0;
  while (text.length <= size) text += `---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm${n++}\ndata:\n  a: b\n`;
  return text;
}

const SMALL_SECRET = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  token: demo-CANARY-small-2\n';

describe('files over the read limit', () => {
  it('are a critical finding each, whatever their kind, when the user chose no --max-file-size (paths)', async () => {
    const { dir } = tree({
      'big.yaml': bigSecret(3000),
      'nested/big.json': JSON.stringify({ kind: 'ConfigMap', data: { pad: 'x'.repeat(3000) } }),
      'notes/big.txt': 'line\n'.repeat(1000),
      'small.yaml': SMALL_SECRET,
    });
    const result = await scan(await pathSource(['.'], { cwd: dir, maxFileSize: 2000 }));
    expect(result.findings.map((f) => [f.file, f.rule, f.severity, f.line])).toEqual([
      ['big.yaml', 'file-too-large', 'critical', 1],
      ['nested/big.json', 'file-too-large', 'critical', 1],
      ['notes/big.txt', 'file-too-large', 'critical', 1],
      ['small.yaml', 'k8s-secret-plaintext', 'critical', 6],
    ]);
    expect(result.findings[0]!.message).toMatch(/^not scanned: \d+ bytes/);
    expect(failsAt(result, 'critical')).toBe(true);
    expect(result.files).toBe(1); // only the file that was read counts as scanned
    assertNoSecrets(JSON.stringify(result));
  });

  it('are reported whatever --rules chooses', async () => {
    const { dir } = tree({ 'a/big.yaml': bigSecret(3000), 'b/ok.yaml': 'kind: ConfigMap\n' });
    for (const rules of ['credentials', 'antipatterns', 'k8s-secret-plaintext']) {
      const result = await scan(await pathSource(['.'], { cwd: dir, maxFileSize: 2000 }), { rules: selectRules(rules) });
      expect(result.findings.map((f) => f.rule), rules).toEqual(['file-too-large']);
    }
  });

  it('are left out, counted and named in the summary when the user chose --max-file-size', async () => {
    const { dir } = tree({ 'big.yaml': bigSecret(3000), 'big2.yml': bigSecret(5000), 'big3.txt': 'x'.repeat(9000), 'small.yaml': SMALL_SECRET });
    const result = await scan(await pathSource(['.'], { cwd: dir, maxFileSize: 4000 }), { maxFileSize: 4000 });
    // big.yaml is under the user's limit: scanned
    expect(result.findings.map((f) => [f.file, f.rule])).toEqual([['big.yaml', 'k8s-secret-plaintext'], ['small.yaml', 'k8s-secret-plaintext']]);
    expect(result.oversize).toBe(2);
    expect(renderSummary(result)).toContain('2 files over --max-file-size 4000 bytes left out');
    expect(JSON.parse(renderJson(result)).summary.notScanned).toEqual({ maxFileSize: 4000, files: 2 });
  });

  it('are a finding in staged and history scans, with the blob; the stream goes on after them', async () => {
    const { dir, run } = tree({ 'a-big.yaml': bigSecret(70_000), 'b-small.yaml': SMALL_SECRET, 'c-big.json': 'x'.repeat(200_000) }, true);
    run('add', '.');
    const staged = await scan(await stagedSource({ cwd: dir, maxFileSize: 50_000 }));
    expect(staged.findings.map((f) => [f.file, f.rule])).toEqual([
      ['a-big.yaml', 'file-too-large'],
      ['b-small.yaml', 'k8s-secret-plaintext'],
      ['c-big.json', 'file-too-large'],
    ]);
    run('commit', '-q', '-m', 'one');
    const history = await scan(await historySource({ cwd: dir, maxFileSize: 50_000 }));
    expect(history.findings.map((f) => [f.file, f.rule, f.blob?.length, f.commit?.length])).toEqual([
      ['a-big.yaml', 'file-too-large', 40, 40],
      ['b-small.yaml', 'k8s-secret-plaintext', 40, 40],
      ['c-big.json', 'file-too-large', 40, 40],
    ]);
    const chosen = await scan(await historySource({ cwd: dir, maxFileSize: 50_000 }), { maxFileSize: 50_000 });
    expect([chosen.findings.map((f) => f.rule), chosen.oversize]).toEqual([['k8s-secret-plaintext'], 2]);
  });
});
