/** `ksec scan` as a user runs it (the built CLI): exit codes, formats, SARIF schema, no values anywhere. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import { describe, expect, it } from 'vitest';
import { ALL_RULES } from '../../src/scan/rules/index.js';
import { KSEC_BIN, runKsec } from '../helpers/run-ksec.js';
import { assertNoSecrets } from '../unit/scan/canary.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/scan/', import.meta.url));
const CORPUS = join(FIXTURES, 'corpus');

function sarifValidator() {
  const schema = JSON.parse(readFileSync(join(FIXTURES, 'sarif-2.1.0-rtm.5.schema.json'), 'utf8')) as Record<string, unknown>;
  delete schema.$schema; // draft-04 header; the keywords it uses validate the same under ajv's default draft
  delete schema.id;
  const ajv = new Ajv.default({ strict: false, allErrors: true, unicodeRegExp: false });
  return ajv.compile(schema);
}

describe('ksec scan (CLI)', { timeout: 30_000 }, () => {
  it('exits 1 on findings and prints file:line:col, rule and message', async () => {
    const r = await runKsec(['scan', 'k8s-secret/string-data.yaml'], { cwd: CORPUS });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe(
      'k8s-secret/string-data.yaml:7:3: critical k8s-secret-plaintext: stringData.password holds a plaintext value; seal it (ksec seal) or move it to SOPS or an ExternalSecret\n',
    );
    expect(r.stderr).toContain('1 finding (1 critical) in 1 file');
  });

  it('exits 0 on a clean tree and below --fail-on', async () => {
    expect((await runKsec(['scan', 'sealed-secret/valid.yaml', 'eso/external-secret.yaml'], { cwd: CORPUS })).code).toBe(0);
    expect((await runKsec(['scan', 'antipatterns', '--rules', 'antipatterns', '--fail-on', 'high'], { cwd: CORPUS })).code).toBe(0);
    expect((await runKsec(['scan', 'antipatterns', '--rules', 'antipatterns'], { cwd: CORPUS })).code).toBe(1);
  });

  it('exits 2 when a file is malformed, after scanning the rest', async () => {
    const r = await runKsec(['scan', join(FIXTURES, 'malformed'), join(CORPUS, 'k8s-secret/data.yaml'), '--syntax-check']);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('data.yaml:9:3');
    expect(r.stderr).toMatch(/broken-secret\.yaml: invalid YAML at line 6/);
    expect(r.stderr).toMatch(/truncated\.json: invalid JSON/);
    expect(r.stderr).toMatch(/^warning: .*broken-config\.yaml: invalid YAML at line 6, column 9/m);
    expect(r.stderr).toContain('2 file errors, 2 malformed files with nothing to check');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    assertNoSecrets(r.stdout + r.stderr);
  });

  it('reports a malformed file with nothing to check in every format (--syntax-check), without failing the scan', async () => {
    const files = ['broken-config.yaml', 'broken-config.json', 'valid-config.yaml', 'tsconfig.json', 'chart/templates/configmap.yaml', '--syntax-check'];
    const cwd = join(FIXTURES, 'malformed');
    const text = await runKsec(['scan', ...files], { cwd });
    expect(text.code).toBe(0);
    expect(text.stderr.split('\n').filter((l) => l.startsWith('warning:'))).toEqual([
      'warning: broken-config.json: invalid JSON in the value starting at line 1 (fix the JSON syntax)',
      'warning: broken-config.yaml: invalid YAML at line 6, column 9: Nested mappings are not allowed in compact mappings (fix the YAML syntax)',
    ]);

    const json = JSON.parse((await runKsec(['scan', ...files, '--format', 'json'], { cwd })).stdout) as { errors: unknown[]; summary: Record<string, unknown> };
    expect(json.errors).toEqual([
      { file: 'broken-config.json', level: 'warning', line: 1, message: 'invalid JSON in the value starting at line 1', hint: 'fix the JSON syntax' },
      { file: 'broken-config.yaml', level: 'warning', line: 6, column: 9, message: expect.stringContaining('invalid YAML at line 6, column 9'), hint: 'fix the YAML syntax' },
    ]);
    expect(json.summary).toMatchObject({ files: 5, findings: 0, errors: 0, warnings: 2 });

    const sarif = JSON.parse((await runKsec(['scan', ...files, '--format', 'sarif'], { cwd })).stdout);
    expect(sarifValidator()(sarif)).toBe(true);
    const invocation = sarif.runs[0].invocations[0];
    expect(invocation.executionSuccessful).toBe(true);
    expect(invocation.toolExecutionNotifications.map((n: { level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region?: unknown } }[] }) => [n.level, n.locations[0]!.physicalLocation.artifactLocation.uri, n.locations[0]!.physicalLocation.region])).toEqual([
      ['warning', 'broken-config.json', { startLine: 1 }],
      ['warning', 'broken-config.yaml', { startLine: 6, startColumn: 9 }],
    ]);

    const junit = (await runKsec(['scan', ...files, '--format', 'junit'], { cwd })).stdout;
    expect(junit).toContain('<testcase classname="ksec.errors" name="broken-config.yaml:6:9" file="broken-config.yaml">');
    expect(junit).toMatch(/<error type="warning" message="invalid YAML at line 6, column 9/);
    expect(junit).toContain('errors="2"');
    assertNoSecrets(text.stdout + text.stderr + JSON.stringify(json) + JSON.stringify(sarif) + junit);

    // without the flag a tree scan does not parse the files no rule reads, so these go unreported; a malformed Secret still is
    const fast = JSON.parse((await runKsec(['scan', ...files.slice(0, -1), 'broken-secret.yaml', '--format', 'json'], { cwd })).stdout);
    expect(fast.errors.map((e: { file: string; level: string }) => [e.file, e.level])).toEqual([['broken-secret.yaml', 'error']]);
    const never = JSON.parse((await runKsec(['scan', ...files.slice(0, -1), 'broken-secret.yaml', '--no-syntax-check', '--format', 'json'], { cwd })).stdout);
    expect(never.errors).toEqual(fast.errors);
  });

  it('reports a file it cannot read and scans the rest, on the main thread and in workers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-unreadable-'));
    execFileSync('git', ['init', '-q'], { cwd: dir }); // git lists the symlink as a file
    symlinkSync('loop.yaml', join(dir, 'loop.yaml')); // opening it fails (ELOOP)
    writeFileSync(join(dir, 'leak.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: leak\nstringData:\n  password: demo-CANARY-u1\n');
    for (const workers of ['0', '2']) {
      const r = await runKsec(['scan', '.', '--format', 'json'], { cwd: dir, env: { KSEC_SCAN_WORKERS: workers } });
      expect(r.code, r.stderr).toBe(2);
      const report = JSON.parse(r.stdout) as { findings: { file: string }[]; errors: { file: string; level: string; message: string }[] };
      expect(report.findings.map((f) => f.file)).toEqual(['leak.yaml']);
      expect(report.errors.map((e) => [e.file, e.level])).toEqual([['loop.yaml', 'error']]);
      expect(report.errors[0]!.message).toMatch(/^cannot read: /);
      assertNoSecrets(r.stdout + r.stderr);
    }
  });

  it('scans a file over 10 MiB by default; leaves out files over a --max-file-size the user chose and says so, in workers too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-large-'));
    let big = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: big\nstringData:\n  password: demo-CANARY-l1\n';
    const pad = '---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pad\ndata:\n  a: b\n';
    big += pad.repeat(Math.ceil((11 * 1024 * 1024) / pad.length));
    writeFileSync(join(dir, 'big.yaml'), big);
    writeFileSync(join(dir, 'small.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  token: ZGVtby1DQU5BUlktbDI=\n');
    for (const workers of ['0', '2']) {
      const all = await runKsec(['scan', '.'], { cwd: dir, env: { KSEC_SCAN_WORKERS: workers } });
      expect(all.code, all.stderr).toBe(1);
      expect(all.stdout.split('\n').filter(Boolean).map((l) => l.split(': ')[0])).toEqual(['big.yaml:6:3', 'small.yaml:6:3']);
      expect(all.stderr).toContain('2 findings (2 critical) in 2 files\n');

      const chosen = await runKsec(['scan', '.', '--max-file-size', '1048576'], { cwd: dir, env: { KSEC_SCAN_WORKERS: workers } });
      expect(chosen.code).toBe(1);
      expect(chosen.stdout).toMatch(/^small\.yaml:6:3: /);
      expect(chosen.stderr).toContain('1 finding (1 critical) in 1 file; 1 file over --max-file-size 1048576 bytes left out');
      const json = JSON.parse((await runKsec(['scan', '.', '--max-file-size', '50', '--format', 'json'], { cwd: dir, env: { KSEC_SCAN_WORKERS: workers } })).stdout);
      expect(json.summary.notScanned).toEqual({ maxFileSize: 50, files: 2 });
      expect(json.findings).toEqual([]);
      assertNoSecrets(all.stdout + all.stderr + chosen.stdout + chosen.stderr);
    }
  });

  it('reads the repository .sops.yaml: a plaintext file where a creation rule matches fails the scan, in workers and staged scans too; git-ignored files are counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-sops-config-'));
    execFileSync('git', ['init', '-q'], { cwd: dir });
    writeFileSync(join(dir, '.sops.yaml'), "creation_rules:\n  - path_regex: '.*\\.enc\\.ya?ml$'\n    age: age1je6kjhzuhdjy3fqptpttxjh5k8q46vygzlgtpuq3030c947pc5tqz9dqvr\n");
    writeFileSync(join(dir, '.gitignore'), '*.local.yaml\n');
    writeFileSync(join(dir, 'db.enc.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: db\ndata:\n  url: demo-CANARY-k1\n');
    writeFileSync(join(dir, 'dev.local.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: dev\nstringData:\n  pw: demo-CANARY-k2\n');
    writeFileSync(join(dir, 'app.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n');
    for (const workers of ['0', '2']) {
      const r = await runKsec(['scan', '.'], { cwd: dir, env: { KSEC_SCAN_WORKERS: workers } });
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toMatch(/^db\.enc\.yaml:1:1: high sops-creation-rule-plaintext: the path matches a creation rule of \.sops\.yaml/);
      expect(r.stdout.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain('1 finding (1 high) in 4 files; 1 git-ignored untracked path skipped');
      assertNoSecrets(r.stdout + r.stderr);
    }
    execFileSync('git', ['add', 'db.enc.yaml'], { cwd: dir });
    const staged = await runKsec(['scan', '--staged', '--format', 'json'], { cwd: join(dir) });
    expect(JSON.parse(staged.stdout).findings.map((f: { file: string; rule: string }) => [f.file, f.rule])).toEqual([['db.enc.yaml', 'sops-creation-rule-plaintext']]);
  });

  it('exits 2 with one line for bad usage', async () => {
    const missing = await runKsec(['scan', 'no/such/dir']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect((await runKsec(['scan', '--staged', '.'])).code).toBe(2);
    expect((await runKsec(['scan', '--rules', 'bogus'])).code).toBe(2);
  });

  it('writes valid SARIF 2.1.0 for the whole corpus, with the fields GitHub code scanning needs', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ksec-sarif-')), 'ksec.sarif');
    const r = await runKsec(['scan', '.', '--rules', 'all', '-o', 'sarif', '-w', out], { cwd: CORPUS });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    const text = readFileSync(out, 'utf8');
    assertNoSecrets(text);
    const log = JSON.parse(text);
    const validate = sarifValidator();
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false); // no tool: the schema bites
    expect(validate(log), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    const run = log.runs[0];
    expect(run.tool.driver.name).toBe('ksec');
    for (const rule of run.tool.driver.rules) {
      expect(Number(rule.properties['security-severity'])).toBeGreaterThan(0);
      expect(rule.shortDescription.text).toBeTruthy();
      expect(rule.fullDescription.text).toBeTruthy();
    }
    for (const result of run.results) {
      const loc = result.locations[0].physicalLocation;
      expect(loc.artifactLocation.uri).not.toMatch(/^\/|\\/);
      expect(loc.region.startLine).toBeGreaterThan(0);
      expect(result.partialFingerprints['ksecFingerprint/v1']).toMatch(/^[0-9a-f]{32}$/);
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(result.ruleId);
    }
  });

  it('prints JSON and JUnit without values', async () => {
    const json = await runKsec(['scan', '.', '--format', 'json'], { cwd: CORPUS });
    expect(json.code, json.stderr).toBe(1);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.summary.findings).toBe(parsed.findings.length);
    expect(Object.keys(parsed.findings[0])).toEqual(expect.arrayContaining(['rule', 'severity', 'file', 'line', 'column', 'message', 'fingerprint']));
    assertNoSecrets(json.stdout + json.stderr);
    const junit = await runKsec(['scan', '.', '--format', 'junit'], { cwd: CORPUS });
    expect(junit.stdout).toMatch(/^<\?xml version="1.0"/);
    expect(junit.stdout).toContain(`failures="${parsed.findings.length}"`);
    assertNoSecrets(junit.stdout);
  });

  it('finds and reports the same in worker threads (the built worker, keyword prefilter on) as on the main thread', async () => {
    const serial = await runKsec(['scan', '.', '../malformed', '--format', 'json', '--syntax-check'], { cwd: CORPUS, env: { KSEC_SCAN_WORKERS: '0' } });
    const parallel = await runKsec(['scan', '.', '../malformed', '--format', 'json', '--syntax-check'], { cwd: CORPUS, env: { KSEC_SCAN_WORKERS: '2' } });
    expect(parallel.code, parallel.stderr).toBe(2);
    expect(JSON.parse(parallel.stdout)).toEqual(JSON.parse(serial.stdout));
    expect(parallel.stdout).toContain('kustomize-secret-file'); // the worker read the env file next to the kustomization
    expect(JSON.parse(parallel.stdout).summary).toMatchObject({ errors: 2, warnings: 2 });
  });

  it('writes a baseline that makes the next scan pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-bl-'));
    const baseline = join(dir, 'baseline.json');
    expect((await runKsec(['scan', '.', '--write-baseline', baseline], { cwd: CORPUS })).code).toBe(0);
    assertNoSecrets(readFileSync(baseline, 'utf8'));
    const again = await runKsec(['scan', '.', '--baseline', baseline], { cwd: CORPUS });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/no findings.*allowed/);
  });

  it('runs as a pre-commit hook on the staged files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-hook-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@e', '-c', 'user.name=t', ...args], { cwd: dir });
    git('init', '-q');
    writeFileSync(join(dir, 'ok.yaml'), 'kind: ConfigMap\ndata: {a: b}\n');
    git('add', 'ok.yaml');
    expect((await runKsec(['scan', '--staged'], { cwd: dir })).code).toBe(0);
    writeFileSync(join(dir, 's.yaml'), 'kind: Secret\napiVersion: v1\nstringData: {pw: demo-CANARY-h1}\n');
    git('add', 's.yaml');
    const r = await runKsec(['scan', '--staged'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^s\.yaml:3:14: critical k8s-secret-plaintext/);
  });

  it('checks that the manifests being changed parse (--staged, --since) and a tree only with --syntax-check', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-syntax-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@e', '-c', 'user.name=t', ...args], { cwd: dir });
    git('init', '-q');
    writeFileSync(join(dir, 'ok.yaml'), 'kind: ConfigMap\ndata: {a: b}\n');
    git('add', 'ok.yaml');
    git('commit', '-qm', 'base');
    writeFileSync(join(dir, 'broken.yaml'), 'kind: ConfigMap\ndata:\n  a: b\n    c: d\n');
    git('add', 'broken.yaml');
    const warning = /^warning: broken\.yaml: invalid YAML at line 3/m;
    const staged = await runKsec(['scan', '--staged'], { cwd: dir });
    expect([staged.code, staged.stderr]).toEqual([0, expect.stringMatching(warning)]);
    expect((await runKsec(['scan', '--staged', '--no-syntax-check'], { cwd: dir })).stderr).not.toMatch(warning);
    git('commit', '-qm', 'broken');
    expect((await runKsec(['scan', '--since', 'HEAD~1'], { cwd: dir })).stderr).toMatch(warning);
    const tree = await runKsec(['scan', '.'], { cwd: dir });
    expect([tree.code, tree.stderr]).toEqual([0, expect.not.stringMatching(warning)]);
    expect((await runKsec(['scan', '.', '--syntax-check'], { cwd: dir })).stderr).toMatch(warning);
    expect((await runKsec(['scan', '--history'], { cwd: dir })).stderr).not.toMatch(warning);
  });

  it('blocks a commit as a Git pre-commit hook: `git commit`, `git commit <path>`, `git commit -a`', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-hook-'));
    const git = (...args: string[]) => execFileSync('git', ['-c', 'user.email=t@e', '-c', 'user.name=t', ...args], { cwd: dir, stdio: 'pipe' });
    const commits = () => git('rev-list', '--all', '--count').toString().trim();
    git('init', '-q');
    writeFileSync(join(dir, '.git/hooks/pre-commit'), `#!/bin/sh\nexec '${process.execPath}' '${KSEC_BIN}' scan --staged\n`, { mode: 0o755 });
    writeFileSync(join(dir, 'ok.yaml'), 'kind: ConfigMap\ndata: {a: b}\n');
    writeFileSync(join(dir, 'app.yaml'), 'kind: ConfigMap\ndata: {a: b}\n');
    writeFileSync(join(dir, '.ksecignore'), 'app.yaml\n');
    git('add', '.');
    git('commit', '-qm', 'clean');
    // the index stops ignoring app.yaml, but `git commit app.yaml` commits HEAD's .ksecignore: the hook
    // must read that commit's own index (GIT_INDEX_FILE), where app.yaml is still ignored
    writeFileSync(join(dir, '.ksecignore'), '');
    git('add', '.ksecignore');
    writeFileSync(join(dir, 'app.yaml'), 'kind: Secret\napiVersion: v1\nstringData: {pw: demo-CANARY-h2}\n');
    git('commit', '-qm', 'only app.yaml', '--', 'app.yaml');
    expect(commits()).toBe('2');
    // a new Secret, staged and committed: blocked
    writeFileSync(join(dir, 's.yaml'), 'kind: Secret\napiVersion: v1\nstringData: {pw: demo-CANARY-h4}\n');
    git('add', 's.yaml');
    expect(() => git('commit', '-qm', 'the secret')).toThrow(/s\.yaml:3:\d+: critical k8s-secret-plaintext/);
    expect(commits()).toBe('2');
    git('rm', '-q', '--cached', 's.yaml');
    // a tracked file edited into a Secret and committed with -a
    writeFileSync(join(dir, 'ok.yaml'), 'kind: Secret\napiVersion: v1\ndata: {pw: ZGVtby1DQU5BUlktaDM=}\n');
    expect(() => git('commit', '-qam', 'edited')).toThrow(/ok\.yaml:3:\d+: critical k8s-secret-plaintext/);
    expect(commits()).toBe('2');
  });

  it('delivers a long report whole to a slow reader of a non-blocking pipe', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-slow-'));
    for (let i = 0; i < 400; i++) writeFileSync(join(dir, `s${i}.yaml`), `kind: Secret\napiVersion: v1\nmetadata: {name: s${i}}\nstringData: {pw: demo-CANARY-p${i}}\n`);
    // fd 1 left non-blocking (as another process may leave it), and a reader that starts late: the
    // pipe fills, writes answer EAGAIN, and the rest must still arrive before ksec exits
    const launcher = 'import os, sys; os.set_blocking(1, False); os.execv(sys.argv[1], sys.argv[1:])';
    execFileSync('sh', ['-c', `python3 -c "${launcher}" "$0" "$1" scan . --format json | { sleep 1; cat > report.json; }`, process.execPath, KSEC_BIN], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: 'ignore',
    });
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')) as { findings: unknown[] };
    expect(report.findings).toHaveLength(400);
  });

  it('validates SealedSecrets against the sealing key when given one', async () => {
    const key = fileURLToPath(new URL('../../examples/keys/demo-sealed-secrets.key', import.meta.url));
    const cert = fileURLToPath(new URL('../../examples/keys/demo-sealed-secrets.crt', import.meta.url));
    expect((await runKsec(['scan', 'sealed-secret/valid.yaml', '--key', key, '--cert', cert], { cwd: CORPUS })).code).toBe(0);
    // moved to another namespace: the strict-scope label no longer matches, so it will not decrypt
    const moved = join(mkdtempSync(join(tmpdir(), 'ksec-ss-')), 'moved.yaml');
    writeFileSync(moved, readFileSync(join(CORPUS, 'sealed-secret/valid.yaml'), 'utf8').replaceAll('namespace: payments', 'namespace: other'));
    const r = await runKsec(['scan', '--key', key, '--key', key, moved]); // repeatable, and never swallows the path
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('sealed-secret-invalid');
    expect((await runKsec(['scan', moved])).code).toBe(0); // structurally fine without the key
  });

  it('shows every flag with examples in --help and lists the rules', async () => {
    const help = await runKsec(['scan', '--help']);
    for (const flag of ['--staged', '--since', '--history', '--format', '--write', '--fail-on', '--rules', '--baseline', '--write-baseline', '--cert', '--key', '--max-file-size', '--no-syntax-check', '--list-rules', 'Examples:']) {
      expect(help.stdout).toContain(flag);
    }
    const rules = await runKsec(['scan', '--list-rules', '--rules', 'all']);
    expect(rules.stdout.trim().split('\n')).toHaveLength(ALL_RULES.length);
  });
});
