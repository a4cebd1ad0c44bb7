/**
 * Real GitOps trees (issue 19 point 5): a directory walk skips YAML that is not
 * a Kubernetes manifest and says how many on stderr, a named file still
 * errors; a Secret with no namespace from anywhere is refused as kubeseal
 * refuses it; -w files are 0600.
 */
import { cpSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, runKsec } from '../helpers/run-ksec.js';
import { FIXTURES } from '../unit/sops/helpers.js';

const CERT = join(REPO_ROOT, 'examples/keys/demo-sealed-secrets.crt');
const KEY = join(REPO_ROOT, 'examples/keys/demo-sealed-secrets.key');
const NO_KUBECONFIG = { KUBECONFIG: '/nonexistent/kubeconfig', HOME: '/nonexistent' };

function tree(): string {
  const root = mkdtempSync(join(tmpdir(), 'ksec-tree-'));
  for (const d of ['app', 'chart/templates', '.github/workflows', 'ci']) mkdirSync(join(root, d), { recursive: true });
  cpSync(join(REPO_ROOT, 'examples/secrets/app-secret.yaml'), join(root, 'app/app-secret.yaml'));
  writeFileSync(join(root, 'app/kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: demo\nresources:\n- app-secret.yaml\n');
  writeFileSync(join(root, 'chart/Chart.yaml'), 'apiVersion: v2\nname: web\nversion: 1.0.0\n');
  writeFileSync(join(root, 'chart/values.yaml'), 'replicaCount: 2\nimage:\n  repository: nginx\n');
  writeFileSync(join(root, 'ci/workflow.yml'), 'name: ci\non: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n    - run: make\n');
  writeFileSync(join(root, 'empty.yaml'), '');
  writeFileSync(join(root, 'chart/templates/deployment.yaml'), 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n  labels:\n    {{- include "web.labels" . | nindent 4 }}\n');
  return root;
}

describe('directory walks skip files that are not Kubernetes manifests', { timeout: 120_000 }, () => {
  it('seal DIR, validate, checksum, eso migrate', async () => {
    const root = tree();
    cpSync(join(FIXTURES, 'secret.enc.yaml'), join(root, 'app/db.enc.yaml'));
    const seal = await runKsec(['seal', root, '--cert', CERT, '--output-dir', join(root, 'out')], { env: NO_KUBECONFIG });
    expect(seal.stderr).toMatch(/skipped 5 YAML files that are not Kubernetes manifests/);
    expect(seal.stderr).toMatch(/skipped 1 SOPS-encrypted file \(.*db\.enc\.yaml\); seal them with --from-sops/);
    expect(seal.code).toBe(0);
    expect(statSync(join(root, 'out/app/app-secret.sealed.yaml')).isFile()).toBe(true);

    const sealedDir = join(root, 'out');
    cpSync(join(root, 'chart/values.yaml'), join(sealedDir, 'values.yaml'));
    const validate = await runKsec(['validate', '-f', sealedDir, '--private-key', KEY]);
    expect(validate.stderr).toMatch(/skipped 1 YAML file that is not a Kubernetes manifest \(.*values\.yaml\)/);
    expect(validate.code).toBe(0);

    const checksum = await runKsec(['checksum', tree()]);
    expect(checksum.stderr).toMatch(/skipped 5 YAML files/);
    expect(checksum.code).toBe(0);
    expect(checksum.stdout).toMatch(/^Secret\/demo\/app-secret [0-9a-f]{64}$/m);

    const eso = await runKsec(['eso', 'migrate', '-f', join(root, 'app'), '--path', 'app', '--store', 'aws', '--dry-run'], {
      env: { SOPS_AGE_KEY_FILE: join(FIXTURES, 'demo-age-key-1.txt'), HOME: '/nonexistent' },
    });
    expect(eso.stderr).toMatch(/skipped 1 YAML file/);
    expect(eso.code).toBe(0);
  });

  it('a file named explicitly still errors', async () => {
    const root = tree();
    for (const args of [['checksum', join(root, 'chart/values.yaml')], ['checksum', join(root, 'chart/templates/deployment.yaml')], ['seal', '-f', join(root, 'ci/workflow.yml'), '--cert', CERT], ['validate', '-f', join(root, 'app/kustomization.yaml'), '--cert', CERT]]) {
      const r = await runKsec(args, { env: NO_KUBECONFIG });
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/skipped/);
    }
  });
});

describe('a Secret without a namespace', { timeout: 60_000 }, () => {
  const noNs = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  k: v\n';

  it('is refused with no -n and no namespace from a kubeconfig context, as kubeseal does', async () => {
    for (const args of [['seal', '--cert', CERT], ['seal', '--cert', CERT, '-o', 'yaml', '-w', join(mkdtempSync(join(tmpdir(), 'ksec-ns-')), 'x.yaml')]]) {
      const r = await runKsec(args, { stdin: noNs, env: NO_KUBECONFIG });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/secret must declare a namespace/);
      expect(r.stdout).toBe('');
    }
  });

  it('is sealed for -n, for the context namespace, or cluster-wide', async () => {
    const withN = await runKsec(['seal', '--cert', CERT, '-n', 'team'], { stdin: noNs, env: NO_KUBECONFIG });
    expect(JSON.parse(withN.stdout).metadata.namespace).toBe('team');
    const kc = join(mkdtempSync(join(tmpdir(), 'ksec-kc-')), 'config');
    writeFileSync(kc, 'apiVersion: v1\nkind: Config\ncurrent-context: a\ncontexts:\n- name: a\n  context: {cluster: c, user: u, namespace: from-ctx}\n');
    const ctx = await runKsec(['seal', '--cert', CERT], { stdin: noNs, env: { KUBECONFIG: kc } });
    expect(JSON.parse(ctx.stdout).metadata.namespace).toBe('from-ctx');
    const cw = await runKsec(['seal', '--cert', CERT, '--scope', 'cluster-wide'], { stdin: noNs, env: NO_KUBECONFIG });
    expect(cw.code).toBe(0);
  });
});

describe('-w output files are 0600', { timeout: 60_000 }, () => {
  it('seal -w, seal --from-sops -w, unseal -w, sops decrypt -w', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ksec-mode-'));
    const secret = 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\nstringData:\n  k: v\n';
    const sealed = join(dir, 'sealed.yaml');
    expect((await runKsec(['seal', '--cert', CERT, '-w', sealed], { stdin: secret })).code).toBe(0);
    expect(statSync(sealed).mode & 0o777).toBe(0o600);
    const plain = join(dir, 'plain.yaml');
    expect((await runKsec(['unseal', '-f', sealed, '--private-key', KEY, '-w', plain])).code).toBe(0);
    expect(statSync(plain).mode & 0o777).toBe(0o600);
    const env = { SOPS_AGE_KEY_FILE: join(FIXTURES, 'demo-age-key-1.txt'), HOME: '/nonexistent' };
    const dec = join(dir, 'dec.yaml');
    expect((await runKsec(['sops', 'decrypt', join(FIXTURES, 'secret.enc.yaml'), '-w', dec], { env })).code).toBe(0);
    expect(statSync(dec).mode & 0o777).toBe(0o600);
    const fromSops = join(dir, 'from-sops.yaml');
    const r = await runKsec(['seal', '--from-sops', join(FIXTURES, 'secret.enc.yaml'), '--cert', CERT, '-w', fromSops], { env });
    expect(r.code).toBe(0);
    expect(statSync(fromSops).mode & 0o777).toBe(0o600);
  });
});
