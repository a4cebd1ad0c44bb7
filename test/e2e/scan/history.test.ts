/**
 * `ksec scan --history` and `--since` name the commit that brought each
 * finding, in every format, on a real repository (rewritten, moved and
 * deleted files, a side branch), and agree with the real gitleaks' `git`
 * mode on which commit leaked a token.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toolsDir } from '../testbed/versions.js';
import { runKsec } from '../../helpers/run-ksec.js';
import { assertNoSecrets } from '../../unit/scan/canary.js';

function gitleaksBin(): string {
  const found = [process.env.GITLEAKS, join(process.env.KSEC_TESTBED_TOOLS ?? toolsDir(), 'gitleaks'), '/tmp/gitleaks-dev/gitleaks'].find((p) => p && existsSync(p));
  if (!found) throw new Error('gitleaks is not installed: run npm run -s testbed:install (or set GITLEAKS)');
  return found;
}

/** a token gitleaks' github-pat rule accepts (random, so its entropy is real); CANARY marks it for assertNoSecrets */
const token = () => `ghp_CANARY${randomBytes(32).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 30)}`;
const configMap = (name: string, extra = '') => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n  mode: fast\n${extra}`;
const secret = (name: string, value: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n  password: ${value}\n`;

interface JsonFinding {
  rule: string;
  file: string;
  fingerprint: string;
  blob?: string;
  commit?: string;
  author?: string;
  email?: string;
  date?: string;
}

let dir: string;
const commits: Record<string, string> = {};

function git(...args: string[]): string {
  return execFileSync('git', ['-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
}

function commit(name: string, date: string): void {
  execFileSync('git', ['-c', 'commit.gpgsign=false', 'commit', '-qm', name], {
    cwd: dir,
    env: { ...process.env, GIT_AUTHOR_NAME: `Dev ${name}`, GIT_AUTHOR_EMAIL: `${name}@example.com`, GIT_AUTHOR_DATE: date, GIT_COMMITTER_NAME: `Dev ${name}`, GIT_COMMITTER_EMAIL: `${name}@example.com`, GIT_COMMITTER_DATE: date },
  });
  commits[name] = git('rev-parse', 'HEAD').trim();
}

function write(path: string, text: string): void {
  mkdirSync(join(dir, path, '..'), { recursive: true });
  writeFileSync(join(dir, path), text);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ksec-scan-history-'));
  git('init', '-q', '-b', 'main');
  write('deploy/app.yaml', configMap('app'));
  git('add', '.');
  commit('base', '2024-01-10T09:00:00Z');
  write('deploy/app.yaml', configMap('app', `  GITHUB_TOKEN: ${token()}\n`)); // the leak
  git('add', '.');
  commit('leak', '2024-02-10T09:00:00Z');
  write('deploy/app.yaml', configMap('app')); // rewritten: the token stays in history
  write('deploy/db.yaml', secret('db', 'demo-CANARY-h1'));
  git('add', '.');
  commit('rewrite', '2024-03-10T09:00:00Z');
  git('rm', '-q', 'deploy/db.yaml'); // deleted
  write('deploy/db.yaml.md', 'moved to a SealedSecret\n');
  git('add', '.');
  commit('delete', '2024-04-10T09:00:00Z');
  git('checkout', '-q', '-b', 'feature', commits.base!);
  write('feature/cfg.yaml', configMap('feature', `  TOKEN: ${token()}\n`));
  git('add', '.');
  commit('feature', '2024-05-10T09:00:00Z');
  git('checkout', '-q', 'main');
  write('deploy/keep.yaml', secret('keep', 'demo-CANARY-h2')); // still at HEAD: the same fingerprint as a tree scan
  git('add', '.');
  commit('keep', '2024-06-10T09:00:00Z');
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('ksec scan: history findings name their commit', () => {
  it('json: commit, author, email, date and path of the blob that brought each finding', async () => {
    const r = await runKsec(['scan', '--history', '--format', 'json'], { cwd: dir });
    expect(r.code, r.stderr).toBe(1);
    assertNoSecrets(r.stdout + r.stderr);
    const findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
    expect(findings.map((f) => [f.rule, f.file, f.commit, f.author, f.email, f.date?.slice(0, 10)])).toEqual([
      ['github-token', 'deploy/app.yaml', commits.leak, 'Dev leak', 'leak@example.com', '2024-02-10'],
      ['k8s-secret-plaintext', 'deploy/db.yaml', commits.rewrite, 'Dev rewrite', 'rewrite@example.com', '2024-03-10'],
      ['k8s-secret-plaintext', 'deploy/keep.yaml', commits.keep, 'Dev keep', 'keep@example.com', '2024-06-10'],
      ['github-token', 'feature/cfg.yaml', commits.feature, 'Dev feature', 'feature@example.com', '2024-05-10'],
    ]);
    for (const f of findings) {
      expect(f.blob).toMatch(/^[0-9a-f]{40}$/);
      // the blob is the one at that path in that commit
      expect(git('rev-parse', `${f.commit}:${f.file}`).trim()).toBe(f.blob);
    }

    // a finding still in the tree keeps its fingerprint, whichever source found it
    const tree = await runKsec(['scan', 'deploy/keep.yaml', '--format', 'json'], { cwd: dir });
    const treeFinding = (JSON.parse(tree.stdout) as { findings: JsonFinding[] }).findings[0]!;
    expect(findings.find((f) => f.file === 'deploy/keep.yaml')!.fingerprint).toBe(treeFinding.fingerprint);
  });

  it('--since names the commit in the range', async () => {
    const r = await runKsec(['scan', '--since', commits.leak!, '--format', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    const findings = (JSON.parse(r.stdout) as { findings: JsonFinding[] }).findings;
    expect(findings.map((f) => [f.file, f.commit])).toEqual([
      ['deploy/db.yaml', commits.rewrite],
      ['deploy/keep.yaml', commits.keep],
    ]);
  });

  it('text, SARIF and JUnit carry the commit; SARIF keeps it out of partialFingerprints', async () => {
    const text = await runKsec(['scan', '--history'], { cwd: dir });
    expect(text.stdout).toContain(
      `deploy/db.yaml:6:3: critical k8s-secret-plaintext: stringData.password holds a plaintext value; seal it (ksec seal) or move it to SOPS or an ExternalSecret [commit ${commits.rewrite!.slice(0, 12)}, 2024-03-10, Dev rewrite <rewrite@example.com>]`,
    );
    assertNoSecrets(text.stdout + text.stderr);

    const sarif = JSON.parse((await runKsec(['scan', '--history', '--format', 'sarif'], { cwd: dir })).stdout) as {
      runs: { results: { partialFingerprints: Record<string, string>; properties?: Record<string, string>; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    const db = sarif.runs[0]!.results.find((res) => res.locations[0]!.physicalLocation.artifactLocation.uri === 'deploy/db.yaml')!;
    expect(db.properties).toMatchObject({ commit: commits.rewrite, author: 'Dev rewrite', email: 'rewrite@example.com' });
    expect(Object.keys(db.partialFingerprints)).toEqual(['ksecFingerprint/v1']);
    expect(JSON.stringify(db.partialFingerprints)).not.toContain(commits.rewrite!.slice(0, 12));

    const junit = (await runKsec(['scan', '--history', '--format', 'junit'], { cwd: dir })).stdout;
    expect(junit).toContain(`name="deploy/db.yaml:6:3@${commits.rewrite!.slice(0, 12)}"`);
    expect(junit).toContain(`[commit ${commits.rewrite!.slice(0, 12)}, 2024-03-10, Dev rewrite &lt;rewrite@example.com&gt;]`);
    assertNoSecrets(junit);
  });

  it('names the same leaking commits as gitleaks git mode', async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'ksec-gitleaks-history-')), 'report.json');
    execFileSync(gitleaksBin(), ['git', '.', '--no-banner', '--redact', '--exit-code', '0', '--report-format', 'json', '--report-path', report, '--log-level', 'error'], { cwd: dir });
    const gitleaks = (JSON.parse(readFileSync(report, 'utf8')) as { RuleID: string; File: string; Commit: string }[])
      .filter((f) => f.RuleID === 'github-pat')
      .map((f) => [f.File, f.Commit])
      .sort();
    const ksec = (JSON.parse((await runKsec(['scan', '--history', '--format', 'json'], { cwd: dir })).stdout) as { findings: JsonFinding[] }).findings
      .filter((f) => f.rule === 'github-token')
      .map((f) => [f.file, f.commit])
      .sort();
    expect(gitleaks).toHaveLength(2);
    expect(ksec).toEqual(gitleaks);
  });
});
