/**
 * The GitHub Action's committed bundle (action/dist/) is what the sources build to now: a stale
 * action never ships. And it works as the runner runs it: `node action/dist/index.js` with
 * INPUT_* variables and a GITHUB_OUTPUT file (the runner's protocol), on a tree with and
 * without a leak. test/e2e/package/action.test.ts runs it with @github/local-action too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CANARY = 'ksec-demo-canary-action-7f3a9';

function runAction(inputs: Record<string, string>, cwd: string) {
  const outputFile = join(mkdtempSync(join(tmpdir(), 'ksec-action-out-')), 'output');
  writeFileSync(outputFile, '');
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', GITHUB_OUTPUT: outputFile, GITHUB_WORKSPACE: cwd, NO_COLOR: '1' };
  for (const [k, v] of Object.entries(inputs)) env[`INPUT_${k.toUpperCase()}`] = v;
  const r = spawnSync(process.execPath, [join(ROOT, 'action/dist/index.js')], { cwd, env, encoding: 'utf8' });
  // GITHUB_OUTPUT holds `name<<DELIMITER\nvalue\nDELIMITER` blocks
  const outputs: Record<string, string> = {};
  for (const m of readFileSync(outputFile, 'utf8').matchAll(/^([\w-]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) outputs[m[1]!] = m[3]!;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, outputs };
}

function tree(leak: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-action-tree-'));
  const value = leak ? `  password: ${CANARY}\n` : '  password: ""\n';
  writeFileSync(join(dir, 'secret.yaml'), `apiVersion: v1\nkind: ${leak ? 'Secret' : 'ConfigMap'}\nmetadata:\n  name: demo\n${leak ? 'stringData' : 'data'}:\n${value}`);
  return dir;
}

describe('the GitHub Action', { timeout: 120_000 }, () => {
  it('action/dist is what `npm run -s build:action` makes of the sources today', () => {
    const fresh = join(mkdtempSync(join(tmpdir(), 'ksec-action-build-')), 'dist');
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-action.mjs'), fresh], { cwd: ROOT, stdio: 'pipe' });
    const committed = join(ROOT, 'action/dist');
    const names = readdirSync(fresh).sort();
    expect(readdirSync(committed).sort(), 'run `npm run -s build:action` and commit action/dist').toEqual(names);
    for (const name of names) {
      expect(readFileSync(join(committed, name), 'utf8') === readFileSync(join(fresh, name), 'utf8'), `action/dist/${name} is stale: run npm run -s build:action`).toBe(true);
    }
  });

  it('action.yml runs the bundle on node24 and declares every input the code reads', () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8'));
    expect(action.runs).toEqual({ using: 'node24', main: 'action/dist/index.js' });
    const source = readFileSync(join(ROOT, 'src/action/scan-action.ts'), 'utf8');
    const read = [...source.matchAll(/getInput\('([\w-]+)'\)/g)].map((m) => m[1]);
    expect(new Set(read)).toEqual(new Set(Object.keys(action.inputs)));
    expect(Object.keys(action.outputs).sort()).toEqual(['findings', 'sarif-file']);
  });

  it('fails (exit 1) on a leak, writes SARIF and sets the outputs, never printing the value', () => {
    const dir = tree(true);
    const r = runAction({ paths: '.', 'sarif-file': 'ksec.sarif', format: 'text', 'fail-on': 'low' }, dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/secret\.yaml:\d+:\d+: critical k8s-secret-plaintext/);
    expect(r.stdout).toContain('::error::ksec scan: 1 finding(s) at or above fail-on');
    expect(r.outputs).toEqual({ findings: '1', 'sarif-file': 'ksec.sarif' });
    const sarif = JSON.parse(readFileSync(join(dir, 'ksec.sarif'), 'utf8'));
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toHaveLength(1);
    expect(r.stdout + r.stderr + readFileSync(join(dir, 'ksec.sarif'), 'utf8')).not.toContain(CANARY);
  });

  it('passes (exit 0) on a clean tree and below fail-on', () => {
    const clean = runAction({ paths: '.', format: 'json' }, tree(false));
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout).findings).toEqual([]);
    expect(clean.outputs).toEqual({ findings: '0', 'sarif-file': '' });
  });

  it('exits 2 with one error line on bad input (an unknown format)', () => {
    const r = runAction({ paths: '.', format: 'xml' }, tree(false));
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^::error::.*format/m);
  });

  it('carries what it loads on first use: a copy of action/dist with no node_modules reads YAML outside the fast reader (anchors), and the hook too', () => {
    const copy = join(mkdtempSync(join(tmpdir(), 'ksec-action-copy-')), 'dist');
    cpSync(join(ROOT, 'action/dist'), copy, { recursive: true });
    const dir = mkdtempSync(join(tmpdir(), 'ksec-action-tree-'));
    writeFileSync(join(dir, 'anchored.yaml'), `apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo\n  labels: {seed: &pw ${CANARY}}\nstringData:\n  password: *pw\n`);
    const hook = spawnSync(process.execPath, [join(copy, 'ksec-scan.js'), 'anchored.yaml'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' } });
    expect(hook.stderr).not.toMatch(/internal error/);
    expect(hook.stdout).toMatch(/^anchored\.yaml:\d+:\d+: critical k8s-secret-plaintext: stringData\.password/m);
    expect(hook.status).toBe(1);
    expect(hook.stdout + hook.stderr).not.toContain(CANARY);
  });
});

