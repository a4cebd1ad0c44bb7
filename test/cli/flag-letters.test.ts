/**
 * One meaning per flag letter, as in kubectl and kubeseal: `-f` input, `-o`
 * output format, `-w` output file, `--in-place`. The spellings ksec used
 * before are usage errors (exit 2) whose one line names the new spelling.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runKsec } from '../helpers/run-ksec.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ksec-flag-letters-'));
  await writeFile(join(dir, 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: demo\ndata:\n  a: "1"\n');
});

describe('old flag spellings name the new one (exit 2)', { timeout: 60_000 }, () => {
  it.each([
    [['scan', '.', '-f', 'json'], /-f is no longer a flag here; use -o FORMAT/],
    [['scan', '.', '--output', 'r.json'], /--output is no longer a flag here; use -w, --write FILE/],
    [['scan', '.', '--output=r.json'], /--output is no longer a flag here/],
    [['scan', '.', '-o', 'report.sarif'], /-o is the report format now, write the report to a file with -w report\.sarif/],
    [['eso', 'store', '--name', 'aws', '-o', 'store.yaml'], /ksec eso store: -o is no longer a flag here; use -w, --write FILE/],
    [['eso', 'migrate', '-f', 'x.yaml', '--path', 'p', '--store', 's', '--dry-run', '-o', 'es.yaml'], /ksec eso migrate: -o is no longer/],
    [['reencrypt', '-f', 'x.yaml', '--private-key', 'k', '--cert', 'c', '-w'], /ksec reencrypt: -w is no longer a flag here; use --in-place/],
    [['sops', 'status', 'x.yaml', '--json'], /ksec sops status: --json is no longer a flag here; use -o json/],
  ])('%j', async (args, message) => {
    const r = await runKsec(args, { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n').filter((l) => !l.includes('--help'))).toHaveLength(1);
    expect(r.stdout).toBe('');
  });
});

describe('the new spellings', { timeout: 60_000 }, () => {
  it('scan: -o is the format and -w the report file', async () => {
    const out = join(dir, 'report.json');
    const r = await runKsec(['scan', 'cm.yaml', '-o', 'json', '-w', out], { cwd: dir });
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(out, 'utf8'))).toHaveProperty('findings');
  });

  it('scan --sarif-file: the text report on stdout and a SARIF copy in the file', async () => {
    await writeFile(join(dir, 'leak.yaml'), 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: demo\nstringData:\n  password: ksec-demo-canary-sarif-file\n');
    const sarif = join(dir, 'ksec.sarif');
    const r = await runKsec(['scan', 'leak.yaml', '--sarif-file', sarif], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^leak\.yaml:6:3: critical k8s-secret-plaintext/m);
    const report = await readFile(sarif, 'utf8');
    expect(JSON.parse(report).runs[0].results[0].ruleId).toBe('k8s-secret-plaintext');
    expect(r.stdout + r.stderr + report).not.toContain('ksec-demo-canary-sarif-file');
  });

  it('eso store: -w writes the file', async () => {
    const out = join(dir, 'store.yaml');
    const r = await runKsec(['eso', 'store', '--name', 'aws', '--region', 'eu-west-1', '-w', out], { cwd: dir });
    expect(r.code).toBe(0);
    expect(await readFile(out, 'utf8')).toMatch(/^kind: ClusterSecretStore$/m);
  });

  it('sops status: -o json', async () => {
    const r = await runKsec(['sops', 'status', 'cm.yaml', '-o', 'json'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false });
  });

  it('a value that merely starts like a flag is not mistaken for one after --', async () => {
    const r = await runKsec(['scan', '--', 'cm.yaml'], { cwd: dir });
    expect(r.code).toBe(0);
  });
});
