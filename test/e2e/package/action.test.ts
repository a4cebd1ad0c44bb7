/**
 * action.yml's code run by GitHub's own local-action (@github/local-action, from the test bed),
 * which loads the action's entry with GitHub's toolkit standing in for the runner, on a
 * temporary Git repository with and without a leak, by path and by `since` (a pull request).
 * test/cli/action-bundle.test.ts runs the committed bundle itself with the runner's protocol.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toolsDir } from '../testbed/versions.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CANARY = 'ksec-demo-canary-local-action-51c2';

function localAction(): string {
  const bin = join(process.env.KSEC_TESTBED_TOOLS ?? toolsDir(), 'local-action');
  if (!existsSync(bin)) throw new Error('local-action is not installed: run npm run -s testbed:install');
  return bin;
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, stdio: 'pipe', env: { ...process.env, GIT_AUTHOR_NAME: 'demo', GIT_AUTHOR_EMAIL: 'demo@example.com', GIT_COMMITTER_NAME: 'demo', GIT_COMMITTER_EMAIL: 'demo@example.com' } });

/** A repository with a clean first commit and, with `leak`, a second commit adding a plaintext Secret. */
function repository(leak: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-local-action-'));
  git(dir, 'init', '-q', '-b', 'main');
  writeFileSync(join(dir, 'config.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  mode: demo\n');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'clean');
  if (leak) {
    writeFileSync(join(dir, 'secret.yaml'), `apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo\nstringData:\n  password: ${CANARY}\n`);
    git(dir, 'add', '.');
    git(dir, 'commit', '-q', '-m', 'leak');
  }
  return dir;
}

/** Runs the action's entry (src/action/scan-action.ts) with INPUT_* from a dotenv file; outputs from its table. */
function run(inputs: Record<string, string>, repo: string) {
  const env = join(mkdtempSync(join(tmpdir(), 'ksec-local-action-env-')), '.env');
  writeFileSync(env, Object.entries({ ...inputs, 'working-directory': repo }).map(([k, v]) => `INPUT_${k.toUpperCase()}=${v}\n`).join(''));
  const r = spawnSync(localAction(), ['run', ROOT, 'src/action/scan-action.ts', env], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' }, timeout: 240_000 });
  const out = r.stdout + r.stderr;
  const outputs: Record<string, string> = {};
  // the table local-action prints under its "Action Outputs" heading (an inputs table comes before it)
  const table = out.slice(out.indexOf('Action Outputs'));
  for (const m of table.matchAll(/│ \d+\s+│ '([\w-]+)'\s+│ '([^']*)'\s+│/g)) outputs[m[1]!] = m[2]!;
  return { code: r.status, out, outputs };
}

describe('the GitHub Action under @github/local-action', () => {
  it('fails on a committed plaintext Secret, writes SARIF, sets the outputs, never shows the value', () => {
    const repo = repository(true);
    const r = run({ paths: '.', format: 'text', 'fail-on': 'low', 'sarif-file': 'ksec.sarif' }, repo);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/secret\.yaml:6:3: critical k8s-secret-plaintext/);
    expect(r.outputs).toEqual({ findings: '1', 'sarif-file': 'ksec.sarif' });
    const sarif = readFileSync(join(repo, 'ksec.sarif'), 'utf8');
    expect(JSON.parse(sarif).runs[0].results[0].ruleId).toBe('k8s-secret-plaintext');
    expect(r.out + sarif).not.toContain(CANARY);
  });

  it('scans a pull request with `since`: the leak its commits add fails, a clean range passes', () => {
    const leaky = run({ since: 'HEAD~1' }, repository(true));
    expect(leaky.code, leaky.out).toBe(1);
    expect(leaky.outputs.findings).toBe('1');
    const clean = run({ since: 'HEAD', format: 'json' }, repository(true));
    expect(clean.code, clean.out).toBe(0);
    expect(clean.outputs.findings).toBe('0');
  });

  it('passes a clean repository and stays under fail-on', () => {
    const r = run({ paths: '.', 'fail-on': 'critical' }, repository(false));
    expect(r.code, r.out).toBe(0);
    expect(r.outputs).toEqual({ findings: '0', 'sarif-file': '' });
  });
});
