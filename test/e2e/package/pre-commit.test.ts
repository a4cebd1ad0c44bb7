/**
 * .pre-commit-hooks.yaml proven with the real pre-commit (PyPI, from the test bed):
 * `pre-commit try-repo <this repository> ksec-scan` in a temporary Git repository blocks a staged
 * plaintext Secret and passes a staged SealedSecret and a SOPS file, with the machine's Node.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { toolsDir } from '../testbed/versions.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CANARY = 'ksec-demo-canary-pre-commit-93d1';
const PRE_COMMIT_HOME = mkdtempSync(join(tmpdir(), 'ksec-pre-commit-home-'));

function preCommit(): string {
  const bin = join(process.env.KSEC_TESTBED_TOOLS ?? toolsDir(), 'pre-commit');
  if (!existsSync(bin)) throw new Error('pre-commit is not installed: run npm run -s testbed:install');
  return bin;
}

/** A new repository with `files` (name -> content or a file to copy) staged, nothing committed. */
function staged(files: Record<string, { text: string } | { copy: string }>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ksec-pre-commit-repo-'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  for (const [name, content] of Object.entries(files)) {
    if ('text' in content) writeFileSync(join(dir, name), content.text);
    else copyFileSync(content.copy, join(dir, name));
  }
  execFileSync('git', ['add', '.'], { cwd: dir });
  return dir;
}

function tryRepo(cwd: string) {
  const r = spawnSync(preCommit(), ['try-repo', ROOT, 'ksec-scan'], { cwd, encoding: 'utf8', env: { ...process.env, PRE_COMMIT_HOME, NO_COLOR: '1' }, timeout: 240_000 });
  return { code: r.status, out: r.stdout + r.stderr };
}

describe('the pre-commit hook (pre-commit try-repo)', () => {
  it('blocks a staged plaintext Secret and prints the finding, not the value', () => {
    const r = tryRepo(staged({ 'secret.yaml': { text: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo\nstringData:\n  password: ${CANARY}\n` } }));
    expect(r.code, r.out).not.toBe(0);
    expect(r.out).toMatch(/ksec scan .*Failed/);
    expect(r.out).toMatch(/secret\.yaml:6:3: critical k8s-secret-plaintext/);
    expect(r.out).not.toContain(CANARY);
  });

  it('passes a staged SealedSecret and a SOPS file', () => {
    const r = tryRepo(
      staged({
        'app-secret.sealed.yaml': { copy: join(ROOT, 'examples/secrets/app-secret.sealed.yaml') },
        'db.enc.yaml': { copy: join(ROOT, 'test/fixtures/sops/types.enc.yaml') },
      }),
    );
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/ksec scan .*Passed/);
  });

  it('runs on the machine\'s Node: no Node environment was downloaded', () => {
    expect(existsSync(PRE_COMMIT_HOME)).toBe(true);
    const hookSpec = readFileSync(join(ROOT, '.pre-commit-hooks.yaml'), 'utf8');
    expect(hookSpec).toMatch(/^ {2}language: script$/m);
    expect(spawnSync('find', [PRE_COMMIT_HOME, '-name', 'node', '-type', 'f'], { encoding: 'utf8' }).stdout.trim()).toBe('');
  });
});
